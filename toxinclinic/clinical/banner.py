"""The safety banner shown wherever a dose can be decided (chart, visit, sign page, triage item, diary).

Built from what the chart holds (:class:`ChartFacts`) with the screening rules (which medicines and
conditions matter and whether they stop or only concern) and the recall window (when the next treatment
may be given). Pure Python: the app gathers the facts, this module decides what they mean.

``level`` of an item: ``stop`` (red, blocking: nothing should be injected until it is dealt with),
``concern`` (amber: the prescriber must weigh it) or ``info``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from . import products, recall, screening, triage
from ._common import check_date, check_int, fmt_date, fmt_quantity

STOP = "stop"
CONCERN = "concern"
INFO = "info"


@dataclass(frozen=True)
class Allergy:
    substance: str
    botulinum_toxin: bool = False
    reaction: str = ""


@dataclass(frozen=True)
class Medication:
    """An active medicine; ``drug_class`` is a chart class key (``anticoagulant``, ``aminoglycoside`` …)."""

    name: str
    drug_class: str


@dataclass(frozen=True)
class Condition:
    """An unresolved history item: ``condition`` key and its label."""

    condition: str
    label: str


@dataclass(frozen=True)
class Injection:
    """A toxin injection given here or elsewhere: ``units`` in U of ``product``."""

    given_on: date
    product: str
    units: float


@dataclass(frozen=True)
class UrgentReport:
    """An urgent side-effect report that is not closed; ``symptoms`` are engine symptom keys."""

    reported_on: date
    symptoms: tuple[str, ...] = ()
    status: str = "open"  # open | acknowledged


@dataclass(frozen=True)
class ChartFacts:
    today: date
    allergies: Sequence[Allergy] = ()
    medications: Sequence[Medication] = ()
    conditions: Sequence[Condition] = ()
    injections: Sequence[Injection] = ()
    urgent_reports: Sequence[UrgentReport] = ()
    interval_days: int = recall.DEFAULT_INTERVAL_DAYS

    def __post_init__(self) -> None:
        check_date(self.today, "today")
        check_int(self.interval_days, "interval_days", 1, 365, "days")
        for i, inj in enumerate(self.injections, 1):
            check_date(inj.given_on, f"injection {i} date")
            products.get(inj.product)


@dataclass(frozen=True)
class BannerItem:
    kind: str  # toxin_allergy | allergies | urgent_report | last_injection | medication | condition
    level: str  # stop | concern | info
    title: str
    text: str

    @property
    def blocking(self) -> bool:
        return self.level == STOP


@dataclass(frozen=True)
class Banner:
    items: tuple[BannerItem, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> tuple[BannerItem, ...]:
        return tuple(i for i in self.items if i.blocking)


def _status(key: str) -> str:
    """The screening engine's verdict for a "yes" to ``key``, as a banner level."""
    item = next(i for i in screening.screen(screening.ScreeningInput(**{key: True}), {}) if i.key == key)
    return STOP if item.status == screening.STOP else CONCERN


def _names(values: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(values))


def build(facts: ChartFacts, format_date: Callable[[date], str] = fmt_date) -> Banner:
    """The banner's items, blocking ones first."""
    if not isinstance(facts, ChartFacts):
        raise ValueError(f"facts: {facts!r} is not ChartFacts")
    items: list[BannerItem] = []
    toxin = [a for a in facts.allergies if a.botulinum_toxin]
    other = [a for a in facts.allergies if not a.botulinum_toxin]
    if toxin:
        items.append(
            BannerItem(
                "toxin_allergy",
                _status("hypersensitivity_to_toxin"),
                "Botulinum toxin allergy",
                _names([f"{a.substance}{f' ({a.reaction})' if a.reaction else ''}" for a in toxin])
                + ": contraindicated.",
            )
        )
    items.append(
        BannerItem(
            "allergies",
            INFO,
            "Other allergies",
            _names([f"{a.substance}{f' ({a.reaction})' if a.reaction else ''}" for a in other])
            if other
            else "None recorded.",
        )
    )
    for r in sorted(facts.urgent_reports, key=lambda r: r.reported_on, reverse=True):
        what = ", ".join(triage.SYMPTOMS.get(s, s).lower() for s in r.symptoms) or "symptoms reported"
        state = "acknowledged, not closed" if r.status == "acknowledged" else "not yet acknowledged"
        items.append(
            BannerItem(
                "urgent_report",
                STOP,
                "Open urgent side-effect report",
                f"Reported {format_date(r.reported_on)}: {what} ({state}).",
            )
        )
    past = [i for i in facts.injections if i.given_on <= facts.today]
    if past:
        last = max(past, key=lambda i: i.given_on)
        window = recall.recall_window(last.given_on, facts.interval_days)
        days = (facts.today - last.given_on).days
        ago = "today" if days == 0 else ("1 day ago" if days == 1 else f"{fmt_quantity(days)} days ago")
        if window.is_open(facts.today):
            when, level = f"the next window opened {format_date(window.opens)}", INFO
        else:
            left = (window.opens - facts.today).days
            when = (
                f"the next window opens {format_date(window.opens)} (in {left} day{'s' if left != 1 else ''})"
            )
            level = STOP
        items.append(
            BannerItem(
                "last_injection",
                level,
                "Last toxin injection",
                f"{format_date(last.given_on)}, {products.get(last.product).brand} "
                f"{fmt_quantity(last.units)} U, {ago}; {when}.",
            )
        )
    else:
        items.append(
            BannerItem("last_injection", INFO, "Last toxin injection", "None recorded here or elsewhere.")
        )
    by_question: dict[str, list[str]] = {}
    for m in facts.medications:
        key = screening.MEDICATION_CLASS_QUESTIONS.get(m.drug_class)
        if key in ("anticoagulant_or_antiplatelet", "neuromuscular_blocking_drugs"):
            by_question.setdefault(key, []).append(m.name)
    for key, title, why in (
        (
            "anticoagulant_or_antiplatelet",
            "Anticoagulant or antiplatelet",
            "more bruising or bleeding at the sites; pausing it is the prescriber's decision",
        ),
        (
            "neuromuscular_blocking_drugs",
            "Aminoglycoside or drug affecting neuromuscular transmission",
            "may strengthen the toxin's effect",
        ),
    ):
        if key in by_question:
            items.append(
                BannerItem(
                    "medication",
                    _status(key),
                    title,
                    f"{_names(by_question[key])} on the medication list: {why}.",
                )
            )
    nmj = [
        c.label
        for c in facts.conditions
        if screening.HISTORY_CONDITION_QUESTIONS.get(c.condition) == "neuromuscular_junction_disorder"
    ]
    if nmj:
        items.append(
            BannerItem(
                "condition",
                _status("neuromuscular_junction_disorder"),
                "Neuromuscular disorder",
                f"{_names(nmj)} in the history: higher risk of severe swallowing and breathing problems.",
            )
        )
    order = {STOP: 0, CONCERN: 1, INFO: 2}
    return Banner(tuple(sorted(items, key=lambda i: order[i.level])))

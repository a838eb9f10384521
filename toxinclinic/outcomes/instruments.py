"""The patient-completed questionnaires: their wording (ours, plain language) and how each is scored.

Scores and bands come only from ``toxinclinic.clinical.scales``. An incomplete form is refused with one
message per missing item, naming it; a total of zero is a valid score.

HIT-6 is copyrighted (QualityMetric/Optum); its item wording here is a paraphrase and a clinic using it
in production needs the licence. MIDAS is free to use for clinical care.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toxinclinic.clinical import scales
from toxinclinic.core.errors import FieldError
from toxinclinic.core.inputs import ascii_int, other_digit_message, other_script_digit


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    minimum: int = 0
    maximum: int = 10
    #: (value, label) pairs; empty means a whole number in [minimum, maximum] typed in
    choices: tuple[tuple[str, str], ...] = ()
    scored: bool = True
    anchors: str = ""

    @property
    def numeric_chips(self) -> bool:
        """Small ranges are tapped as chips; day counts (0–90) are typed."""
        return not self.choices and self.maximum - self.minimum <= 10


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    short: str
    intro: str
    items: tuple[Item, ...]
    indications: frozenset[str]
    higher_is_worse: bool = True
    sections: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())


@dataclass(frozen=True)
class Score:
    total: float
    band: str
    band_label: str
    subscores: dict[str, Any]

    @property
    def display(self) -> str:
        t = f"{self.total:g}"
        return f"{t} — {self.band_label}" if self.band_label else t


_DAYS = "days (0–90)"
MIDAS = Instrument(
    key="midas",
    name="MIDAS — Migraine Disability Assessment",
    short="MIDAS",
    intro=(
        "Think about the last 3 months. Count days; if you are unsure, give your best guess. "
        "Answer 0 if it did not happen."
    ),
    indications=frozenset({"chronic_migraine"}),
    items=(
        Item("q1", "On how many days did you miss work or school because of your headaches?", 0, 90),
        Item(
            "q2",
            "On how many days was your productivity at work or school reduced by half or more because of "
            "your headaches? (Do not count the days from question 1.)",
            0,
            90,
        ),
        Item("q3", "On how many days did you not do household work because of your headaches?", 0, 90),
        Item(
            "q4",
            "On how many days was your productivity in household work reduced by half or more because of "
            "your headaches? (Do not count the days from question 3.)",
            0,
            90,
        ),
        Item(
            "q5",
            "On how many days did you miss family, social or leisure activities because of your headaches?",
            0,
            90,
        ),
        Item(
            "a",
            "On how many days did you have a headache? "
            "(If a headache lasted more than a day, count each day.)",
            0,
            90,
            scored=False,
        ),
        Item(
            "b",
            "On average, how painful were these headaches? "
            "0 means no pain, 10 means pain as bad as it can be.",
            0,
            10,
            scored=False,
        ),
    ),
)

_HIT6_CHOICES = (
    ("never", "Never"),
    ("rarely", "Rarely"),
    ("sometimes", "Sometimes"),
    ("very_often", "Very often"),
    ("always", "Always"),
)
HIT6 = Instrument(
    key="hit6",
    name="HIT-6 — Headache Impact Test",
    short="HIT-6",
    intro="Choose the answer that fits best. Questions 4 to 6 are about the last 4 weeks.",
    indications=frozenset({"chronic_migraine"}),
    items=(
        Item("q1", "When you have headaches, how often is the pain severe?", choices=_HIT6_CHOICES),
        Item(
            "q2",
            "How often do headaches limit your usual daily activities "
            "(housework, work, school, social life)?",
            choices=_HIT6_CHOICES,
        ),
        Item(
            "q3", "When you have a headache, how often do you wish you could lie down?", choices=_HIT6_CHOICES
        ),
        Item(
            "q4",
            "In the last 4 weeks, how often have you felt too tired to work or do daily activities "
            "because of your headaches?",
            choices=_HIT6_CHOICES,
        ),
        Item(
            "q5",
            "In the last 4 weeks, how often have you felt fed up or irritated because of your headaches?",
            choices=_HIT6_CHOICES,
        ),
        Item(
            "q6",
            "In the last 4 weeks, how often did headaches limit your ability to concentrate on work or daily "
            "activities?",
            choices=_HIT6_CHOICES,
        ),
    ),
)


def _anchored(key: str, text: str, labels: tuple[str, ...]) -> Item:
    return Item(key, text, 0, 5, choices=tuple((str(i), f"{i} · {lab}") for i, lab in enumerate(labels)))


TWSTRS = Instrument(
    key="twstrs",
    name="TWSTRS — your neck's effect on daily life and pain",
    short="TWSTRS (patient parts)",
    intro=(
        "These are the parts of the Toronto Western Spasmodic Torticollis Rating Scale you answer yourself: "
        "how your neck condition limits daily life, and your neck pain over the last week."
    ),
    indications=frozenset({"cervical_dystonia"}),
    items=(
        _anchored(
            "d1",
            "Work (your job, or housework and running the home)",
            (
                "No difficulty",
                "I work at my usual level, but the neck gets in the way",
                "Some tasks are very hard, but I still do them well",
                "I work below my usual level; many tasks are hampered",
                "I cannot hold a job, but manage some housework",
                "I can do little or no housework",
            ),
        ),
        _anchored(
            "d2",
            "Daily living (eating, dressing, washing, shaving or make-up)",
            (
                "No difficulty",
                "Bothered, but no real limit",
                "Most things are hard, but I manage",
                "I need tricks or aids for many things",
                "I need help with most things",
                "I need help with almost everything",
            ),
        ),
        _anchored(
            "d3",
            "Driving",
            (
                "No difficulty (or I do not drive for other reasons)",
                "No limit, but the neck bothers me",
                "No limit, but I need tricks (e.g. a hand on the face)",
                "I can drive only short distances",
                "I usually cannot drive because of my neck",
                "I cannot drive, and long trips as a passenger are hard",
            ),
        ),
        _anchored(
            "d4",
            "Reading",
            (
                "No difficulty",
                "No limit, but the neck bothers me",
                "No limit, but I need tricks",
                "I can read only lying down or with a lot of effort",
                "I can read only a little, even with tricks",
                "I cannot read more than a few sentences",
            ),
        ),
        _anchored(
            "d5",
            "Watching television or a screen",
            (
                "No difficulty",
                "No limit, but the neck bothers me",
                "No limit, but I need tricks",
                "I can watch only lying down or with a lot of effort",
                "I can watch only a little, even with tricks",
                "I cannot watch for more than a few minutes",
            ),
        ),
        _anchored(
            "d6",
            "Activities outside the home (shopping, walking, going out)",
            (
                "No difficulty",
                "No limit, but the neck bothers me",
                "I go out only with someone else",
                "I go out only for short trips",
                "I rarely go out",
                "I do not go out because of my neck",
            ),
        ),
        Item("pain_worst", "Worst neck pain in the last week (0 none, 10 worst imaginable)", 0, 10),
        Item("pain_best", "Least neck pain in the last week (0 none, 10 worst imaginable)", 0, 10),
        Item("pain_usual", "Usual neck pain in the last week (0 none, 10 worst imaginable)", 0, 10),
        _anchored(
            "pain_duration",
            "How much of the time do you have neck pain?",
            (
                "None of the time",
                "Less than 10% of the time",
                "10–25% of the time",
                "26–50% of the time",
                "51–75% of the time",
                "More than 75% of the time",
            ),
        ),
        _anchored(
            "pain_disability",
            "How much does the pain itself limit what you do?",
            (
                "Not at all",
                "It is bothersome but does not limit me",
                "It gets in the way of some tasks",
                "It causes some, but less than half, of my limitation",
                "It is a major source of my limitation",
                "It is the main source of my limitation",
            ),
        ),
    ),
    sections=(
        ("How your neck limits daily life", ("d1", "d2", "d3", "d4", "d5", "d6")),
        ("Neck pain", ("pain_worst", "pain_best", "pain_usual", "pain_duration", "pain_disability")),
    ),
)

PAIN_NRS = Instrument(
    key="pain_nrs",
    name="Neck pain score",
    short="Pain score",
    intro="One question about your neck pain.",
    indications=frozenset({"cervical_dystonia"}),
    items=(
        Item(
            "pain",
            "How bad has your neck pain usually been over the last week? 0 means no pain, 10 the worst pain "
            "you can imagine.",
            0,
            10,
        ),
    ),
)

PGIC = Instrument(
    key="pgic",
    name="PGIC — your overall change since treatment started",
    short="PGIC",
    intro="Think about your condition overall: symptoms, activities, and how you feel.",
    indications=frozenset({"chronic_migraine", "cervical_dystonia"}),
    higher_is_worse=True,
    items=(
        Item(
            "change",
            "Since your treatment started, how would you describe the change in your condition?",
            1,
            7,
            choices=tuple((str(v), lab.capitalize()) for v, lab in scales.PGIC_LABELS.items()),
        ),
    ),
)

INSTRUMENTS: dict[str, Instrument] = {i.key: i for i in (MIDAS, HIT6, TWSTRS, PAIN_NRS, PGIC)}
#: Instruments answered at baseline and before each re-injection, by indication.
REPEATED: dict[str, tuple[str, ...]] = {
    "chronic_migraine": ("midas", "hit6"),
    "cervical_dystonia": ("twstrs", "pain_nrs"),
}
AFTER_TREATMENT = ("pgic",)


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        try:
            return ascii_int(v)
        except ValueError:
            return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def clean_answers(inst: Instrument, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every item answered and in range, or ``FieldError`` naming each bad item (keys are item keys)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = sorted(set(raw) - {i.key for i in inst.items})
    if unknown:
        errors["answers"] = [f"Unknown item(s) for {inst.short}: {', '.join(unknown)[:80]}."]
    for n, item in enumerate(inst.items, 1):
        label = f"Question {n} ({item.text[:60]}{'…' if len(item.text) > 60 else ''})"
        v = raw.get(item.key)
        if v in (None, ""):
            errors[item.key] = [f"{label}: please answer this question."]
            continue
        if item.choices and inst.key == "hit6":
            allowed = {c for c, _ in item.choices}
            key = str(v).strip().lower().replace(" ", "_")
            if key not in allowed:
                errors[item.key] = [
                    f"{label}: {str(v)[:20]!r} is not one of never, rarely, sometimes, very often, always."
                ]
                continue
            out[item.key] = key
            continue
        iv = _int(v)
        if iv is None and isinstance(v, str) and (ch := other_script_digit(v)):
            errors[item.key] = [f"{label}: {other_digit_message(ch)}"]
        elif iv is None:
            errors[item.key] = [f"{label}: {str(v)[:20]!r} is not a whole number."]
        elif not item.minimum <= iv <= item.maximum:
            unit = " days" if item.maximum == 90 else ""
            errors[item.key] = [f"{label}: {iv} is outside {item.minimum}–{item.maximum}{unit}."]
        else:
            out[item.key] = iv
    if errors:
        raise FieldError(errors)
    return out


def score(inst: Instrument, answers: Mapping[str, Any]) -> Score:
    """Score cleaned answers with the engine. Engine errors are mapped back to the item they name."""
    try:
        if inst.key == "midas":
            r = scales.midas([answers[f"q{i}"] for i in range(1, 6)])
            return Score(r.total, r.grade, f"grade {r.grade}: {r.label}", {})
        if inst.key == "hit6":
            h = scales.hit6([answers[f"q{i}"] for i in range(1, 7)])
            return Score(h.total, h.band, h.label, {})
        if inst.key == "twstrs":
            pain = scales.twstrs_pain(
                worst=answers["pain_worst"],
                best=answers["pain_best"],
                usual=answers["pain_usual"],
                duration=answers["pain_duration"],
                disability=answers["pain_disability"],
            )
            t = scales.twstrs_patient(disability=[answers[f"d{i}"] for i in range(1, 7)], pain=pain)
            return Score(
                t.total,
                "",
                f"disability {t.disability} of 30, pain {pain.total:g} of 20",
                {"disability": t.disability, "pain": pain.total, "pain_severity": pain.severity},
            )
        if inst.key == "pain_nrs":
            p = scales.nrs(answers["pain"])
            return Score(p.value, p.label.replace(" ", "_"), p.label, {})
        if inst.key == "pgic":
            g = scales.pgic(answers["change"])
            return Score(g.value, str(g.value), g.label, {})
    except ValueError as exc:
        msg = str(exc)
        key = "answers"
        if "pain best" in msg:
            key = "pain_best"
        elif "pain usual" in msg:
            key = "pain_usual"
        raise FieldError({key: [msg]}) from exc
    raise KeyError(inst.key)

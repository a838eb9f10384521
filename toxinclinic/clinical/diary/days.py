"""Diary days: what a patient records for one day and how the engine classifies it (see the package
docstring for the definitions)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .._common import check_choice, check_date, check_number

SEVERITIES: tuple[str, ...] = ("none", "mild", "moderate", "severe")
MEDICATION_CLASSES: tuple[str, ...] = (
    "triptan",
    "ergot",
    "nsaid",
    "simple_analgesic",
    "combination_analgesic",
    "opioid",
    "gepant",
    "ditan",
    "other",
)
MEDICATION_CLASS_LABELS: dict[str, str] = {
    "triptan": "triptan",
    "ergot": "ergot (ergotamine, dihydroergotamine)",
    "nsaid": "NSAID (ibuprofen, naproxen, aspirin …)",
    "simple_analgesic": "simple analgesic (paracetamol)",
    "combination_analgesic": "combination analgesic",
    "opioid": "opioid",
    "gepant": "gepant (rimegepant, ubrogepant …)",
    "ditan": "ditan (lasmiditan)",
    "other": "other acute medicine",
}
#: Bit of each medication class in :attr:`DiaryColumns.medications`.
MED_BIT: dict[str, int] = {c: 1 << i for i, c in enumerate(MEDICATION_CLASSES)}

# The medication-class sets the rules use, defined once (the bulk path's bit masks are built from them).
#: A headache of any duration treated with one of these is a headache day; relief by one makes it a
#: migraine day.
TRIPTAN_OR_ERGOT: frozenset[str] = frozenset({"triptan", "ergot"})
#: Simple analgesics (paracetamol) and NSAIDs (aspirin included), counted together (ICHD-3 8.2.2/8.2.3).
SIMPLE_OR_NSAID: frozenset[str] = frozenset({"simple_analgesic", "nsaid"})
#: Overused when taken on >= 10 days on its own (ICHD-3 8.2.1, 8.2.4, 8.2.5, 8.2.7 as the reference lists).
SINGLE_CLASS_OVERUSE: tuple[str, ...] = ("triptan", "ergot", "opioid", "combination_analgesic")
#: ICHD-3 8.2.6 names ergotamine, triptans, simple analgesics, NSAIDs, opioids; not combination analgesics.
MULTIPLE_CLASSES: tuple[str, ...] = ("ergot", "triptan", "simple_analgesic", "nsaid", "opioid")
#: Reported beside the verdict but not part of ICHD-3 8.2.
NOT_IN_VERDICT: tuple[str, ...] = ("gepant", "ditan", "other")


def med_mask(classes: Iterable[str]) -> int:
    """The :data:`MED_BIT` mask of ``classes``."""
    mask = 0
    for c in classes:
        mask |= MED_BIT[c]
    return mask


_SEVERITY_CODE = {s: i for i, s in enumerate(SEVERITIES)}

#: The range of a headache's duration the diary accepts, hours: the shortest a patient can record (half an
#: hour; a shorter one is "no headache") to a whole day. The phone form, the API schema and the messages
#: use these two numbers.
HEADACHE_HOURS_MIN = 0.5
HEADACHE_HOURS_MAX = 24.0

DEFAULT_HEADACHE_THRESHOLD_HOURS = 4.0
DEFAULT_MIN_RECORDED_PER_28 = 20


#: The yes/no fields of a diary day, in the order the bulk columns use.
BOOL_FIELDS: tuple[str, ...] = (
    "headache",
    "unilateral",
    "pulsating",
    "aggravated_by_activity",
    "nausea",
    "vomiting",
    "photophobia",
    "phonophobia",
    "aura",
    "relieved_by_acute",
)


@dataclass(frozen=True)
class DiaryDay:
    """One patient's diary record for one calendar day (00:00–23:59 local time).

    ``duration_hours`` is the longest continuous headache in hours (0–24). When ``headache`` is False the
    duration must be 0 and severity ``"none"``; the other feature flags are then ignored.
    ``acute_medications`` lists medication *classes* taken that day (any iterable; stored as a tuple).
    """

    date: date
    headache: bool = False
    duration_hours: float = 0
    severity: str = "none"
    unilateral: bool = False
    pulsating: bool = False
    aggravated_by_activity: bool = False
    nausea: bool = False
    vomiting: bool = False
    photophobia: bool = False
    phonophobia: bool = False
    aura: bool = False
    acute_medications: tuple[str, ...] = ()
    relieved_by_acute: bool = False

    def __post_init__(self) -> None:
        check_date(self.date, "date")
        for name in BOOL_FIELDS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: {getattr(self, name)!r} is not True/False")
        check_number(self.duration_hours, "duration_hours", minimum=0, maximum=24)
        check_choice(self.severity, "severity", SEVERITIES)
        meds = self.acute_medications
        if isinstance(meds, str) or not isinstance(meds, Iterable):
            raise ValueError(f"acute_medications: {meds!r} is not a list of medication classes")
        meds = tuple(meds)
        for i, m in enumerate(meds, 1):
            check_choice(m, f"acute_medications item {i}", MEDICATION_CLASSES)
        object.__setattr__(self, "acute_medications", meds)
        if not self.headache:
            if self.duration_hours != 0:
                raise ValueError("duration_hours: must be 0 when headache is False")
            if self.severity != "none":
                raise ValueError("severity: must be 'none' when headache is False")


@dataclass(frozen=True)
class DayClass:
    """How one diary day counts. ``reasons`` explains each True flag in plain language."""

    date: date
    headache_day: bool
    migraine_day: bool
    moderate_severe_day: bool
    acute_medication_day: bool
    triptan_or_ergot_day: bool
    medication_classes: frozenset[str]
    reasons: list[str] = field(compare=False)


def classify_day(
    day: DiaryDay, headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS
) -> DayClass:
    """Classify one day. ``headache_threshold_hours`` is configurable (default 4 h, IHS 2018 / PREEMPT)."""
    meds = frozenset(day.acute_medications)
    te = bool(meds & TRIPTAN_OR_ERGOT)
    reasons: list[str] = []
    headache_day = False
    if day.headache:
        if day.duration_hours >= headache_threshold_hours:
            headache_day = True
            reasons.append(f"headache {day.duration_hours:g} h (>= {headache_threshold_hours:g} h)")
        elif te:
            headache_day = True
            reasons.append(
                f"headache {day.duration_hours:g} h treated with a triptan/ergot (any duration counts)"
            )
        else:
            reasons.append(
                f"headache {day.duration_hours:g} h is under {headache_threshold_hours:g} h and "
                "was not treated with a triptan/ergot: not a headache day"
            )
    migraine_day = False
    moderate_severe = headache_day and day.severity in ("moderate", "severe")
    if headache_day:
        c = sum(
            (
                day.unilateral,
                day.pulsating,
                day.severity in ("moderate", "severe"),
                day.aggravated_by_activity,
            )
        )
        d = day.nausea or day.vomiting or (day.photophobia and day.phonophobia)
        if c >= 2 and d:
            migraine_day = True
            reasons.append(
                f"migraine features: {c} of 4 pain characteristics (ICHD-3 1.1 C) and "
                "nausea/vomiting or light and sound sensitivity (D)"
            )
        elif day.aura:
            migraine_day = True
            reasons.append("migraine day: aura")
        elif day.relieved_by_acute and te:
            migraine_day = True
            reasons.append("migraine day: relieved by a triptan/ergot")
        if moderate_severe:
            reasons.append(f"peak severity {day.severity}")
    if meds:
        reasons.append("acute medication: " + ", ".join(sorted(meds)))
    return DayClass(day.date, headache_day, migraine_day, moderate_severe, bool(meds), te, meds, reasons)


def check_headache_hours(hours: object) -> float:
    """A headache's duration in hours, checked against :data:`HEADACHE_HOURS_MIN` –
    :data:`HEADACHE_HOURS_MAX`. Raises ValueError naming the field and the limit; ``True``/``False``,
    text and non-finite numbers are not hours."""
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        raise ValueError(f"duration_hours: {hours!r} is not a number of hours")
    if hours < HEADACHE_HOURS_MIN:
        raise ValueError(f"duration_hours: {hours:g} is below {HEADACHE_HOURS_MIN:g} h")
    if hours > HEADACHE_HOURS_MAX:
        raise ValueError(f"duration_hours: {hours:g} is above {HEADACHE_HOURS_MAX:g} h")
    return float(hours)

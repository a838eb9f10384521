"""Checking what a patient says about one day, for the phone form and the API alike: the rules, and the
messages that name the field, the limit and what to do."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from toxinclinic.clinical import diary as engine
from toxinclinic.core.errors import FieldError
from toxinclinic.diary import conf
from toxinclinic.patients.models import ACUTE_CLASSES, Medication, Patient

#: Headache features: engine field -> the plain-language label the patient taps.
FEATURES: dict[str, str] = {
    "unilateral": "One side of the head",
    "pulsating": "Throbbing",
    "aggravated_by_activity": "Worse with activity",
    "nausea": "Nausea",
    "photophobia": "Light bothered me",
    "phonophobia": "Noise bothered me",
    "aura": "Aura",
}
#: Accepted through the API but not shown as a chip (nausea covers criterion D on the phone form).
EXTRA_FEATURES = ("vomiting",)
BOOL_FIELDS = (*FEATURES, *EXTRA_FEATURES)
HEADACHE_SEVERITIES = ("mild", "moderate", "severe")
NOTE_MAX = 1000
#: The hours a headache may last, from the engine (hours).
HOURS_MIN, HOURS_MAX = engine.HEADACHE_HOURS_MIN, engine.HEADACHE_HOURS_MAX
HOURS_RANGE = f"{HOURS_MIN:g} to {HOURS_MAX:g}"

DAY_FIELDS = (
    "date",
    "headache",
    "duration_hours",
    "severity",
    *BOOL_FIELDS,
    "medication_classes",
    "relieved_by_acute",
)


@dataclass
class DayInput:
    """What a patient says about one day (HTML form and API both produce this)."""

    headache: bool
    duration_hours: float | None = None
    severity: str | None = None
    features: dict[str, bool] = field(default_factory=dict)
    medications: Sequence[str] = ()
    relieved_by_acute: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class CleanDay:
    day: engine.DiaryDay
    medications: list[dict[str, str]]
    note: str


def fmt_day(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


_fmt = fmt_day  # the name the screens used first


def earliest_allowed(patient: Patient, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return max(patient.enrolled_on, today - dt.timedelta(days=conf.backfill_days()))


def check_date(patient: Patient, day: dt.date, today: dt.date | None = None) -> list[str]:
    """Why ``day`` may not be written (empty when it may)."""
    today = today or timezone.localdate()
    if day > today:
        return [
            f"Date: {fmt_day(day)} is in the future. You can record today ({fmt_day(today)}) or earlier days."
        ]
    if day < patient.enrolled_on:
        return [f"Date: {fmt_day(day)} is before your diary started on {fmt_day(patient.enrolled_on)}."]
    limit = conf.backfill_days()
    if (today - day).days > limit:
        return [
            f"Date: {fmt_day(day)} is more than {limit} days ago. You can fill in days back to "
            f"{fmt_day(today - dt.timedelta(days=limit))}; ask the clinic to add older days."
        ]
    return []


def hours_error(hours: object) -> str | None:
    """The patient's message for a headache's hours outside the engine's range (None when fine)."""
    if hours is None:
        return f"Hours: enter how long the headache lasted, from {HOURS_RANGE} hours."
    try:
        engine.check_headache_hours(hours)
    except ValueError:
        pass
    else:
        return None
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        shown = ("true" if hours else "false") if isinstance(hours, bool) else str(hours)[:20]
        return f"Hours: {shown} is not a number of hours; enter a number such as 2 or 4.5."
    if hours > HOURS_MAX:
        return (
            f"Hours: {hours:g} is more than {HOURS_MAX:g}. A day has at most {HOURS_MAX:g} hours; enter the "
            f"longest headache that day ({HOURS_RANGE})."
        )
    if hours <= 0:
        return (
            f"Hours: {hours:g} is too low. Enter how long the headache lasted ({HOURS_RANGE}), "
            "or choose 'No headache today'."
        )
    return (
        f"Hours: {hours:g} is less than {HOURS_MIN:g} hours. Enter how long the headache lasted "
        f"({HOURS_RANGE}); a shorter one is 'No headache today'."
    )


def acute_medicines(patient: Patient) -> list[Medication]:
    """The patient's own current acute medicines (chart medications with an acute class)."""
    return list(
        Medication.objects.filter(patient=patient, drug_class__in=ACUTE_CLASSES, stopped_on__isnull=True)
    )


def validate_day(
    patient: Patient,
    day: dt.date,
    data: DayInput,
    *,
    today: dt.date | None = None,
    medicines: Sequence[Medication] | None = None,
) -> CleanDay:
    """Check one day against the rules and build the engine's ``DiaryDay``. Raises ``FieldError``."""
    errors: dict[str, list[str]] = {}
    date_errors = check_date(patient, day, today)
    if date_errors:
        errors["date"] = date_errors
    hours: Any = data.duration_hours
    severity = data.severity or None
    if data.headache:
        problem = hours_error(hours)
        if problem:
            errors["duration_hours"] = [problem]
        if severity is None:
            errors["severity"] = ["Worst pain: choose mild, moderate or severe."]
        elif severity not in HEADACHE_SEVERITIES:
            errors["severity"] = [f"Worst pain: {str(severity)[:20]!r} is not one of mild, moderate, severe."]
    else:
        if hours is not None and (isinstance(hours, bool) or hours != 0):
            errors["duration_hours"] = ["Hours: leave this empty (or 0) when there was no headache."]
        if severity not in (None, "none"):
            errors["severity"] = ["Worst pain: leave this empty when there was no headache."]
        hours, severity = 0, "none"
    unknown = set(data.features) - set(BOOL_FIELDS)
    if unknown:
        errors["features"] = [f"Features: unknown {', '.join(sorted(unknown))}."]
    if medicines is None:
        # Most days carry no medicine: skip the look-up then (this is the hot path of the diary API).
        medicines = acute_medicines(patient) if data.medications else []
    meds_by_id = {str(m.public_id): m for m in medicines}
    chosen: list[Medication] = []
    for raw in data.medications:
        m = meds_by_id.get(str(raw))
        if m is None:
            errors.setdefault("medications", []).append(
                f"Medicines: {str(raw)[:40]} is not one of your acute medicines. Choose from your list, "
                "or ask the clinic to add the medicine to your chart."
            )
        elif m not in chosen:
            chosen.append(m)
    relieved = bool(data.relieved_by_acute)
    if relieved and not chosen:
        errors["relieved_by_acute"] = [
            "Did it help: choose the medicine you took first, or leave this question blank."
        ]
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"Note: {len(note)} characters is too long; keep it under {NOTE_MAX}."]
    if errors:
        raise FieldError(errors)
    feats = {k: bool(data.features.get(k, False)) for k in BOOL_FIELDS} if data.headache else {}
    try:
        engine_day = engine.DiaryDay(
            day,
            headache=bool(data.headache),
            duration_hours=float(hours or 0),
            severity=severity or "none",
            acute_medications=tuple(dict.fromkeys(m.drug_class for m in chosen)),
            relieved_by_acute=relieved,
            **feats,
        )
    except ValueError as exc:
        # The engine re-checks every limit; its message starts with the field name.
        name = str(exc).split(":", 1)[0].split(" ")[0]
        key = name if name in ("duration_hours", "severity", "date") else "features"
        raise FieldError({key: [str(exc)]}) from exc
    meds = [{"id": str(m.public_id), "name": m.name, "drug_class": m.drug_class} for m in chosen]
    return CleanDay(engine_day, meds, note)

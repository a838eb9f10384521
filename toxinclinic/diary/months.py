"""Stored month counts: a patient-month's summary from the engine, as a ``DiaryMonth`` row, and the days
they are counted from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from toxinclinic.clinical import diary as engine
from toxinclinic.diary import conf
from toxinclinic.diary.models import DiaryEntry, DiaryMonth
from toxinclinic.diary.signals import month_stored
from toxinclinic.diary.validation import BOOL_FIELDS, DAY_FIELDS
from toxinclinic.patients.models import Patient

month_start = engine.month_start
month_end = engine.month_end
shift_month = engine.shift_month

#: The counts a stored month keeps (with ``medication_days_by_class``), enough to rebuild its summary.
MONTH_COUNTS = engine.COUNT_FIELDS
#: A month row's columns that :func:`month_fields` gives.
MONTH_COLUMNS = (
    "period_start",
    "period_end",
    "days_in_period",
    *MONTH_COUNTS,
    "min_days_required",
    "sufficient",
    "headache_days_per_30",
    "migraine_days_per_30",
    "medication_days_by_class",
    "headache_threshold_hours",
)
#: What is read of a stored month to adjust it (only changed columns are written) or to judge from it.
MONTH_READ = ("id", "month", *MONTH_COLUMNS)


def month_period(patient: Patient, month: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month clipped to the enrolment date (days before enrolment are not 'missing')."""
    return max(month_start(month), patient.enrolled_on), month_end(month)


def to_engine_day(e: DiaryEntry | Mapping[str, Any]) -> engine.DiaryDay:
    get = e.get if isinstance(e, Mapping) else lambda k: getattr(e, k)
    return engine.DiaryDay(
        get("date"),
        headache=get("headache"),
        duration_hours=get("duration_hours"),
        severity=get("severity"),
        acute_medications=tuple(get("medication_classes") or ()),
        relieved_by_acute=get("relieved_by_acute"),
        **{k: get(k) for k in BOOL_FIELDS},
    )


def days_between(patient: Patient | int, start: dt.date, end: dt.date) -> list[engine.DiaryDay]:
    """The patient's stored days in ``[start, end]`` as engine days."""
    rows = DiaryEntry.objects.filter(patient=patient, date__range=(start, end)).values(*DAY_FIELDS)
    return [to_engine_day(r) for r in rows]


def month_summary(row: Mapping[str, Any], start: dt.date, end: dt.date) -> engine.PeriodSummary:
    """A stored month's counts as the engine's summary of ``[start, end]``."""
    return engine.period_summary(
        start,
        end,
        **{c: row[c] for c in MONTH_COUNTS},
        medication_days_by_class=row["medication_days_by_class"] or {},
    )


def month_fields(s: engine.PeriodSummary, threshold_hours: float) -> dict[str, Any]:
    """A month row's columns for summary ``s``, counted with headache threshold ``threshold_hours``."""
    return {
        "period_start": s.start,
        "period_end": s.end,
        "days_in_period": s.days_in_period,
        "days_recorded": s.days_recorded,
        "min_days_required": s.min_days_required,
        "sufficient": s.sufficient,
        "headache_days": s.headache_days,
        "migraine_days": s.migraine_days,
        "moderate_severe_days": s.moderate_severe_days,
        "acute_medication_days": s.acute_medication_days,
        "triptan_or_ergot_days": s.triptan_or_ergot_days,
        "simple_or_nsaid_days": s.simple_or_nsaid_days,
        "multiple_class_days": s.multiple_class_days,
        "headache_days_per_30": s.headache_days_per_30,
        "migraine_days_per_30": s.migraine_days_per_30,
        "medication_days_by_class": {c: n for c, n in s.medication_days_by_class.items() if n},
        "headache_threshold_hours": threshold_hours,
    }


def recount_month(
    patient: Patient, day: dt.date, replace: engine.DiaryDay | None = None
) -> engine.PeriodSummary:
    """The month containing ``day`` summarised from its stored days (``replace``: as if that day were
    already saved)."""
    start, end = month_period(patient, day)
    days = days_between(patient, start, end)
    if replace is not None:
        days = [d for d in days if d.date != replace.date] + [replace]
    return engine.summarize(days, start, end, headache_threshold_hours=conf.headache_threshold_hours())


def refresh_month(patient: Patient, day: dt.date) -> DiaryMonth:
    """Recount the month containing ``day`` from its days and store it (one upsert)."""
    fields = month_fields(recount_month(patient, day), conf.headache_threshold_hours())
    row = DiaryMonth(patient=patient, clinic_id=patient.clinic_id, month=month_start(day), **fields)
    DiaryMonth.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["patient", "month"],
        update_fields=["clinic", *fields, "updated_at"],
    )
    month_stored.send(sender=DiaryMonth, patient_id=patient.pk, month=row.month, counted=True)
    return row


def months_for(patient: Patient) -> list[DiaryMonth]:
    return list(DiaryMonth.objects.filter(patient=patient).order_by("month"))


def this_month(patient: Patient, today: dt.date | None = None) -> engine.PeriodSummary:
    """Completeness and counts from the first of this month (or enrolment) to today."""
    today = today or timezone.localdate()
    start = max(month_start(today), patient.enrolled_on)
    if start > today:
        start = today
    return engine.summarize(
        days_between(patient, start, today),
        start,
        today,
        headache_threshold_hours=conf.headache_threshold_hours(),
    )

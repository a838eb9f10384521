"""Diary operations of the JSON API. A patient acts on their own diary (resolved from the login);
clinic staff read a patient's diary by id. Validation is ``services.validate_day`` (same as the form)."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status
from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from toxinclinic.core.errors import FieldError
from toxinclinic.core.inputs import CheckedInput, other_digit_message, other_script_digit
from toxinclinic.core.schemas import Schema, errors
from toxinclinic.diary import conf, services
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.diary.permissions import can_keep_diary, can_view_diary, can_view_medication_overuse
from toxinclinic.patients.access import chart_for, own_patient
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.services import injection_dates

API_PREFIX = "/diary"
router = Router(tags=["diary"])

MAX_RANGE_DAYS = 400


def _hours_are_a_number(value: Any) -> float | None:
    """The one check of the API's hours before the range: JSON ``true``/``false`` or text are not hours
    (pydantic would read ``true`` as 1.0), with the diary's message naming the field and what to enter; the
    range itself is checked by ``services.validate_day`` with the form's messages."""
    if value is None:
        return None
    if isinstance(value, str) and (ch := other_script_digit(value)):
        raise PydanticCustomError("hours", f"Hours: {other_digit_message(ch)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("hours", services.hours_error(value) or "Hours: not a number.")
    try:
        return float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise PydanticCustomError(
            "hours", services.hours_error(float("inf")) or "Hours: not a number."
        ) from None


#: Hours of a headache: the engine's range when there was one; empty (or 0) when there was none.
#: The base type is ``Any`` on purpose: ``_hours_are_a_number`` is this field's whole input rule (it returns
#: a float), so the shared rule of ``CheckedInput`` (which reads ``float`` fields as numbers, with its
#: generic "Give a number, not true or false.") does not answer for it first with another message.
Hours = Annotated[
    Any,
    BeforeValidator(_hours_are_a_number),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": services.HOURS_MIN, "maximum": services.HOURS_MAX},
                {"const": 0},
                {"type": "null"},
            ]
        }
    ),
]


# The day's schemas are plain pydantic models (ninja's Schema adds attribute access to ORM objects, which
# these dicts do not need, at ~0.1 ms a request on the diary's hot path).
class DiaryDayIn(CheckedInput):
    headache: bool = Field(..., description="Any headache this day?")
    duration_hours: Hours = Field(
        None,
        description=f"Longest continuous headache, hours ({services.HOURS_MIN:g}–{services.HOURS_MAX:g}); "
        "omit (or 0) when there was no headache",
    )
    severity: str | None = Field(
        None, description="Worst pain: mild | moderate | severe (omit if no headache)"
    )
    unilateral: bool = Field(False, description="One side of the head")
    pulsating: bool = Field(False, description="Throbbing")
    aggravated_by_activity: bool = Field(False, description="Worse with activity")
    nausea: bool = False
    vomiting: bool = False
    photophobia: bool = Field(False, description="Light bothered me")
    phonophobia: bool = Field(False, description="Noise bothered me")
    aura: bool = False
    medications: list[str] = Field(
        default_factory=list, description="Public ids of the patient's own acute medicines taken this day"
    )
    relieved_by_acute: bool | None = Field(None, description="Did the medicine help?")
    note: str = ""
    version: int | None = Field(
        None, description="The version you read; a stale one gets 409. Omit to replace."
    )


class MedicineOut(BaseModel):
    id: str
    name: str
    drug_class: str


class ClassificationOut(BaseModel):
    headache_day: bool
    migraine_day: bool
    moderate_severe_day: bool
    acute_medication_day: bool
    triptan_or_ergot_day: bool
    reasons: list[str]


class DiaryDayOut(BaseModel):
    id: uuid.UUID
    date: dt.date
    headache: bool
    duration_hours: float
    severity: str
    unilateral: bool
    pulsating: bool
    aggravated_by_activity: bool
    nausea: bool
    vomiting: bool
    photophobia: bool
    phonophobia: bool
    aura: bool
    medications: list[MedicineOut]
    medication_classes: list[str]
    relieved_by_acute: bool
    note: str
    classification: ClassificationOut
    version: int
    updated_at: dt.datetime


def _out(e: DiaryEntry) -> dict[str, Any]:
    return {
        "id": e.public_id,
        "date": e.date,
        "headache": e.headache,
        "duration_hours": e.duration_hours,
        "severity": e.severity,
        **{k: getattr(e, k) for k in services.BOOL_FIELDS},
        "medications": e.acute_medications,
        "medication_classes": e.medication_classes,
        "relieved_by_acute": e.relieved_by_acute,
        "note": e.note,
        "classification": {
            "headache_day": e.headache_day,
            "migraine_day": e.migraine_day,
            "moderate_severe_day": e.moderate_severe_day,
            "acute_medication_day": e.acute_medication_day,
            "triptan_or_ergot_day": e.triptan_or_ergot_day,
            "reasons": e.reasons,
        },
        "version": e.version,
        "updated_at": e.updated_at,
    }


#: What staff are told when they call a patient's own diary operation.
_KEPT_BY_PATIENT = "Only the patient keeps their diary; staff read it under /diary/patients/{id}."


def _range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = end or today
    start = start or end - dt.timedelta(days=30)
    errors: dict[str, list[str]] = {}
    if start > end:
        errors["start"] = [f"start: {start} is after end {end}."]
    elif (end - start).days > MAX_RANGE_DAYS:
        errors["end"] = [
            f"end: ask for at most {MAX_RANGE_DAYS} days at a time (asked {(end - start).days})."
        ]
    if errors:
        raise FieldError(errors)
    return start, end


@router.get(
    "/entries", response=list[DiaryDayOut], summary="My diary days in a date range (default: last 31 days)"
)
def list_my_diary_days(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    patient = own_patient(request.user, refused=_KEPT_BY_PATIENT)
    s, e = _range(start, end)
    return [_out(x) for x in DiaryEntry.objects.filter(patient=patient, date__range=(s, e)).order_by("date")]


@router.get("/entries/{day}", response=DiaryDayOut, summary="One of my diary days")
def read_my_diary_day(request: HttpRequest, day: dt.date) -> Any:
    patient = own_patient(request.user, refused=_KEPT_BY_PATIENT)
    entry = DiaryEntry.objects.filter(patient=patient, date=day).first()
    if entry is None:
        raise Http404(f"Nothing recorded for {day}.")
    return _out(entry)


@router.put(
    "/entries/{day}",
    response={200: DiaryDayOut, 201: DiaryDayOut, **errors(409)},
    summary="Record or replace one of my diary days (one row per day; 201 created, 200 replaced)",
)
def save_my_diary_day(request: HttpRequest, day: dt.date, payload: DiaryDayIn) -> Any:
    patient = own_patient(request.user, refused=_KEPT_BY_PATIENT)
    if not can_keep_diary(request.user, patient):
        raise PermissionDenied
    data = services.DayInput(
        headache=payload.headache,
        duration_hours=payload.duration_hours,
        severity=payload.severity,
        features={k: getattr(payload, k) for k in services.BOOL_FIELDS},
        medications=payload.medications,
        relieved_by_acute=payload.relieved_by_acute,
        note=payload.note,
    )
    clean = services.validate_day(patient, day, data)
    entry, created = services.save_day(patient, clean, actor=request.user, expected_version=payload.version)
    return Status(201 if created else 200, _out(entry))


class MissingOut(Schema):
    earliest_allowed: dt.date
    backfill_days: int
    today_recorded: bool
    missing: list[dt.date]


@router.get("/missing", response=MissingOut, summary="My unrecorded days that I can still fill in")
def my_missing_diary_days(request: HttpRequest) -> Any:
    patient = own_patient(request.user, refused=_KEPT_BY_PATIENT)
    today = timezone.localdate()
    return {
        "earliest_allowed": services.earliest_allowed(patient, today),
        "backfill_days": conf.backfill_days(),
        "today_recorded": DiaryEntry.objects.filter(patient=patient, date=today).exists(),
        "missing": services.missing_days(patient, today),
    }


class MonthOut(Schema):
    month: dt.date
    period_start: dt.date
    period_end: dt.date
    days_in_period: int
    days_recorded: int
    min_days_required: int
    sufficient: bool
    headache_days: int
    migraine_days: int
    moderate_severe_days: int
    acute_medication_days: int
    triptan_or_ergot_days: int
    headache_days_per_30: float | None
    migraine_days_per_30: float | None
    medication_days_by_class: dict[str, int]


class ThisMonthOut(Schema):
    start: dt.date
    end: dt.date
    days_in_period: int
    days_recorded: int
    completeness: float
    headache_days: int
    migraine_days: int
    acute_medication_days: int


class PeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    status: str
    reasons: list[str]


class OveruseOut(Schema):
    met: bool
    status: str = Field(..., description="met | not_met | insufficient_data")
    reasons: list[str]
    periods: list[PeriodOut]


class SummaryOut(Schema):
    months: list[MonthOut]
    this_month: ThisMonthOut
    injections: list[dt.date]
    medication_overuse: OveruseOut | None = Field(
        None, description="ICHD-3 8.2 verdict; only for the patient's clinicians"
    )


def _summary(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    today = timezone.localdate()
    tm = services.this_month(patient, today)
    out: dict[str, Any] = {
        "months": services.months_for(patient),
        "this_month": {
            "start": tm.start,
            "end": tm.end,
            "days_in_period": tm.days_in_period,
            "days_recorded": tm.days_recorded,
            "completeness": tm.completeness,
            "headache_days": tm.headache_days,
            "migraine_days": tm.migraine_days,
            "acute_medication_days": tm.acute_medication_days,
        },
        "injections": injection_dates(patient),
        "medication_overuse": None,
    }
    if can_view_medication_overuse(request.user, patient):
        v = services.verdict_for(patient, today)  # the stored verdict (see diary.overuse)
        out["medication_overuse"] = {
            "met": v.met,
            "status": v.status,
            "reasons": v.reasons,
            "periods": v.periods,
        }
    return out


@router.get(
    "/summary", response=SummaryOut, summary="My monthly numbers, this month's completeness, injections"
)
def my_diary_summary(request: HttpRequest) -> Any:
    return _summary(request, own_patient(request.user, refused=_KEPT_BY_PATIENT))


@router.get(
    "/patients/{patient_id}/entries",
    response=list[DiaryDayOut],
    summary="A patient's diary days (staff of their clinic)",
)
def list_patient_diary_days(
    request: HttpRequest, patient_id: uuid.UUID, start: dt.date | None = None, end: dt.date | None = None
) -> Any:
    s, e = _range(start, end)  # a bad range is refused (422) before the chart is opened or the read recorded
    patient = chart_for(request, patient_id, can=can_view_diary, what="diary (API)")
    return [_out(x) for x in DiaryEntry.objects.filter(patient=patient, date__range=(s, e)).order_by("date")]


@router.get(
    "/patients/{patient_id}/summary",
    response=SummaryOut,
    summary="A patient's monthly numbers and, for clinicians, the medication-overuse verdict",
)
def patient_diary_summary(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, can=can_view_diary, what="diary summary (API)")
    return _summary(request, patient)

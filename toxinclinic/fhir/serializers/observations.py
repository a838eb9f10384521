"""Observation (diary days, monthly headache-day and migraine-day counts, questionnaire totals) and
QuestionnaireResponse.

LOINC only where a code was verified (``codes.LOINC_BY_INSTRUMENT``: the pain score); the diary
counts and the MIDAS/HIT-6/TWSTRS/PGIC totals carry this server's local code and a text (docs/fhir.md).
"""

from __future__ import annotations

from typing import Any

from toxinclinic.diary.models import DiaryEntry, DiaryMonth, Severity
from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import coding, concept, instant, local, meta, number, prune, ref
from toxinclinic.fhir.serializers.shape import Shape
from toxinclinic.outcomes.models import Instrument, QuestionnaireResponse

_SURVEY = concept(
    {"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"},
)


_SEVERITY = {k: str(v) for k, v in Severity.choices}
_C_HEADACHE = concept(local("headache", "Any headache"))
_C_HEADACHE_DAY = concept(local("headache-day", "Headache day"))
_C_MIGRAINE_DAY = concept(local("migraine-day", "Migraine day"))
_C_ACUTE_DAY = concept(local("acute-medication-day", "Acute medication day"))
_C_DURATION = concept(local("duration", "Longest headache"))
_C_SEVERITY = concept(local("severity", "Severity"))
_C_DIARY_DAY = concept(local(*codes.OBS_DIARY_DAY), text="Headache diary day")
_C_HEADACHE_DAYS = concept(local(*codes.OBS_HEADACHE_DAYS), text=codes.OBS_HEADACHE_DAYS[1])
_C_MIGRAINE_DAYS = concept(local(*codes.OBS_MIGRAINE_DAYS), text=codes.OBS_MIGRAINE_DAYS[1])


def _days(value: int) -> dict[str, Any]:
    return {"value": value, "unit": "days", "system": codes.UCUM, "code": "d"}


def diary_day_values(
    public_id: str,
    updated: str | None,
    patient_id: str,
    date: str,
    headache: bool,
    headache_day: bool,
    migraine_day: bool,
    acute_medication_day: bool,
    duration_hours: float,
    severity: str,
) -> dict[str, Any]:
    """One diary day: its engine classification (headache day, migraine day) and the patient's answers.
    Most of an export: built without ``prune`` (every element is always present), the constant parts
    once at module level (the encoder only reads them)."""
    res: dict[str, Any] = {"resourceType": "Observation", "id": f"day-{public_id}"}
    if updated:
        res["meta"] = {"lastUpdated": updated}
    res["status"] = "final"
    res["category"] = [_SURVEY]
    res["code"] = _C_DIARY_DAY
    res["subject"] = {"reference": f"Patient/{patient_id}"}
    res["effectiveDateTime"] = date
    res["component"] = [
        {"code": _C_HEADACHE, "valueBoolean": bool(headache)},
        {"code": _C_HEADACHE_DAY, "valueBoolean": bool(headache_day)},
        {"code": _C_MIGRAINE_DAY, "valueBoolean": bool(migraine_day)},
        {"code": _C_ACUTE_DAY, "valueBoolean": bool(acute_medication_day)},
        {
            "code": _C_DURATION,
            "valueQuantity": {
                "value": number(duration_hours),
                "unit": "h",
                "system": codes.UCUM,
                "code": "h",
            },
        },
        {"code": _C_SEVERITY, "valueString": _SEVERITY.get(severity, severity)},
    ]
    return res


DIARY_DAY = Shape(
    DiaryEntry,
    (
        "public_id",
        "updated_at",
        "patient__public_id",
        "date",
        "headache",
        "headache_day",
        "migraine_day",
        "acute_medication_day",
        "duration_hours",
        "severity",
    ),
    diary_day_values,
)


def month_id(kind: str, patient_uuid: Any, month: Any) -> str:
    """``hd-<patient>-YYYY-MM``; ``month`` a date or its ISO text."""
    m = month if isinstance(month, str) else month.isoformat()
    return f"{kind}-{patient_uuid}-{m[:7]}"


def diary_month_values(
    updated: str | None,
    patient_id: str,
    month: str,
    period_start: str,
    period_end: str,
    headache_days: int,
    migraine_days: int,
    sufficient: bool,
    days_recorded: int,
    days_in_period: int,
) -> list[dict[str, Any]]:
    """Two Observations per patient-month: headache days and migraine days (counts over the period)."""
    out = []
    subject = {"reference": f"Patient/{patient_id}"}
    note = None if sufficient else [{"text": f"Only {days_recorded} of {days_in_period} days recorded."}]
    for kind, code, value in (
        ("hd", _C_HEADACHE_DAYS, headache_days),
        ("md", _C_MIGRAINE_DAYS, migraine_days),
    ):
        res: dict[str, Any] = {"resourceType": "Observation", "id": month_id(kind, patient_id, month)}
        if updated:
            res["meta"] = {"lastUpdated": updated}
        res["status"] = "final"
        res["category"] = [_SURVEY]
        res["code"] = code
        res["subject"] = subject
        res["effectivePeriod"] = {"start": period_start, "end": period_end}
        res["valueQuantity"] = _days(value)
        if note:
            res["note"] = note
        out.append(res)
    return out


DIARY_MONTH = Shape(
    DiaryMonth,
    (
        "updated_at",
        "patient__public_id",
        "month",
        "period_start",
        "period_end",
        "headache_days",
        "migraine_days",
        "sufficient",
        "days_recorded",
        "days_in_period",
    ),
    diary_month_values,
    many=True,
)


_INSTRUMENT = {k: str(v) for k, v in Instrument.choices}


def questionnaire_total_values(
    public_id: str,
    completed: str | None,
    patient_id: str,
    instrument: str,
    completed_on: str,
    total: float,
    band_label: str,
) -> dict[str, Any]:
    """A questionnaire's total score. Coded with LOINC where a code for that total was verified
    (``codes.LOINC_BY_INSTRUMENT``, sources in docs/fhir.md), always with this server's local code."""
    name = _INSTRUMENT.get(instrument, instrument)
    loinc = codes.LOINC_BY_INSTRUMENT.get(instrument)
    return prune(
        {
            "resourceType": "Observation",
            "id": f"qt-{public_id}",
            "meta": {"lastUpdated": completed} if completed else None,
            "status": "final",
            "category": [_SURVEY],
            "code": concept(
                *([coding(codes.LOINC, *loinc)] if loinc else []),
                local(codes.questionnaire_code(instrument), f"{name} total"),
                text=f"{name} total",
            ),
            "subject": ref("Patient", patient_id),
            "effectiveDateTime": completed_on,
            "valueQuantity": {"value": number(total)},
            "interpretation": [{"text": band_label}] if band_label else None,
            "derivedFrom": [ref("QuestionnaireResponse", public_id)],
        }
    )


QUESTIONNAIRE_TOTAL = Shape(
    QuestionnaireResponse,
    (
        "public_id",
        "completed_at",
        "patient__public_id",
        "instrument",
        "completed_on",
        "total",
        "band_label",
    ),
    questionnaire_total_values,
)


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def questionnaire_response(q: Any) -> dict[str, Any]:
    answers = q.answers if isinstance(q.answers, dict) else dict(enumerate(q.answers or [], start=1))
    items = [
        {"linkId": str(k), "answer": [_answer(v)]} for k, v in answers.items() if v is not None and v != ""
    ]
    return prune(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(q.public_id),
            "meta": meta(q.completed_at),
            "questionnaire": f"urn:toxinclinic:questionnaire:{q.instrument}",
            "status": "completed",
            "subject": ref("Patient", q.patient.public_id),
            "authored": instant(q.completed_at),
            "item": items,
        }
    )

"""Observation (diary days, monthly headache-day and migraine-day counts, questionnaire totals) and
QuestionnaireResponse.

No LOINC codings: no LOINC code for these diary counts or for the MIDAS/HIT-6/TWSTRS totals could be
verified against a published source in this work, so every Observation carries this server's local code
and a text (codes.py says why).
"""

from __future__ import annotations

from typing import Any

from toxinclinic.diary.models import Severity
from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import concept, day, instant, local, meta, number, prune, ref

_SURVEY = concept(
    {"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"},
)


#: What ``diary_day`` and ``diary_month`` read (besides ``patient.public_id``): they take model rows or
#: plain value rows (``resources.Row``, the export's hot path).
DIARY_DAY_FIELDS = (
    "public_id",
    "updated_at",
    "date",
    "headache",
    "headache_day",
    "migraine_day",
    "acute_medication_day",
    "duration_hours",
    "severity",
)
DIARY_MONTH_FIELDS = (
    "updated_at",
    "month",
    "period_start",
    "period_end",
    "headache_days",
    "migraine_days",
    "sufficient",
    "days_recorded",
    "days_in_period",
)
_SEVERITY = dict(Severity.choices)
_C_HEADACHE = concept(local("headache", "Any headache"))
_C_HEADACHE_DAY = concept(local("headache-day", "Headache day"))
_C_MIGRAINE_DAY = concept(local("migraine-day", "Migraine day"))
_C_ACUTE_DAY = concept(local("acute-medication-day", "Acute medication day"))
_C_DURATION = concept(local("duration", "Longest headache"))
_C_SEVERITY = concept(local("severity", "Severity"))
_C_DIARY_DAY = concept(local(*codes.OBS_DIARY_DAY), text="Headache diary day")


def _days(value: int) -> dict[str, Any]:
    return {"value": value, "unit": "days", "system": codes.UCUM, "code": "d"}


def diary_day(e: Any) -> dict[str, Any]:
    """One diary day: its engine classification (headache day, migraine day) and the patient's answers."""
    # The constant parts are built once (module level); the encoder only reads them.
    comps = [
        {"code": _C_HEADACHE, "valueBoolean": bool(e.headache)},
        {"code": _C_HEADACHE_DAY, "valueBoolean": bool(e.headache_day)},
        {"code": _C_MIGRAINE_DAY, "valueBoolean": bool(e.migraine_day)},
        {"code": _C_ACUTE_DAY, "valueBoolean": bool(e.acute_medication_day)},
        {
            "code": _C_DURATION,
            "valueQuantity": {
                "value": number(e.duration_hours),
                "unit": "h",
                "system": codes.UCUM,
                "code": "h",
            },
        },
        {"code": _C_SEVERITY, "valueString": _SEVERITY.get(e.severity, e.severity)},
    ]
    return prune(
        {
            "resourceType": "Observation",
            "id": f"day-{e.public_id}",
            "meta": meta(e.updated_at),
            "status": "final",
            "category": [_SURVEY],
            "code": _C_DIARY_DAY,
            "subject": ref("Patient", e.patient.public_id),
            "effectiveDateTime": day(e.date),
            "component": comps,
        }
    )


def month_id(kind: str, patient_uuid: Any, month: Any) -> str:
    return f"{kind}-{patient_uuid}-{month:%Y-%m}"


def diary_month(m: Any) -> list[dict[str, Any]]:
    """Two Observations per patient-month: headache days and migraine days (counts over the period)."""
    out = []
    for kind, (code, display), value in (
        ("hd", codes.OBS_HEADACHE_DAYS, m.headache_days),
        ("md", codes.OBS_MIGRAINE_DAYS, m.migraine_days),
    ):
        out.append(
            prune(
                {
                    "resourceType": "Observation",
                    "id": month_id(kind, m.patient.public_id, m.month),
                    "meta": meta(m.updated_at),
                    "status": "final",
                    "category": [_SURVEY],
                    "code": concept(local(code, display), text=display),
                    "subject": ref("Patient", m.patient.public_id),
                    "effectivePeriod": {"start": day(m.period_start), "end": day(m.period_end)},
                    "valueQuantity": _days(value),
                    "note": None
                    if m.sufficient
                    else [{"text": f"Only {m.days_recorded} of {m.days_in_period} days recorded."}],
                }
            )
        )
    return out


def questionnaire_total(q: Any) -> dict[str, Any]:
    name = q.get_instrument_display()
    return prune(
        {
            "resourceType": "Observation",
            "id": f"qt-{q.public_id}",
            "meta": meta(q.completed_at),
            "status": "final",
            "category": [_SURVEY],
            "code": concept(
                local(codes.questionnaire_code(q.instrument), f"{name} total"), text=f"{name} total"
            ),
            "subject": ref("Patient", q.patient.public_id),
            "effectiveDateTime": day(q.completed_on),
            "valueQuantity": {"value": number(q.total)},
            "interpretation": [{"text": q.band_label}] if q.band_label else None,
            "derivedFrom": [ref("QuestionnaireResponse", q.public_id)],
        }
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

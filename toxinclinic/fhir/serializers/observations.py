"""Observation (diary days, monthly headache-day and migraine-day counts, questionnaire totals) and
QuestionnaireResponse.

No LOINC codings: no LOINC code for these diary counts or for the MIDAS/HIT-6/TWSTRS totals could be
verified against a published source in this work, so every Observation carries this server's local code
and a text (codes.py says why).
"""

from __future__ import annotations

from typing import Any

from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import concept, day, instant, local, meta, number, prune, ref

_SURVEY = concept(
    {"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"},
)


def _days(value: int) -> dict[str, Any]:
    return {"value": value, "unit": "days", "system": codes.UCUM, "code": "d"}


def diary_day(e: Any) -> dict[str, Any]:
    """One diary day: its engine classification (headache day, migraine day) and the patient's answers."""
    comps = [
        {"code": concept(local("headache", "Any headache")), "valueBoolean": bool(e.headache)},
        {"code": concept(local("headache-day", "Headache day")), "valueBoolean": bool(e.headache_day)},
        {"code": concept(local("migraine-day", "Migraine day")), "valueBoolean": bool(e.migraine_day)},
        {
            "code": concept(local("acute-medication-day", "Acute medication day")),
            "valueBoolean": bool(e.acute_medication_day),
        },
        {
            "code": concept(local("duration", "Longest headache")),
            "valueQuantity": {
                "value": number(e.duration_hours),
                "unit": "h",
                "system": codes.UCUM,
                "code": "h",
            },
        },
        {"code": concept(local("severity", "Severity")), "valueString": e.get_severity_display()},
    ]
    return prune(
        {
            "resourceType": "Observation",
            "id": f"day-{e.public_id}",
            "meta": meta(e.updated_at),
            "status": "final",
            "category": [_SURVEY],
            "code": concept(local(*codes.OBS_DIARY_DAY), text="Headache diary day"),
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

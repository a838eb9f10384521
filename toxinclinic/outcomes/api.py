"""Questionnaire operations of the JSON API: the instruments, what is due, submit, history."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Status

from toxinclinic.core.errors import FieldError
from toxinclinic.core.schemas import Schema
from toxinclinic.outcomes import services
from toxinclinic.outcomes.instruments import INSTRUMENTS
from toxinclinic.outcomes.permissions import can_answer_questionnaire, can_view_questionnaires
from toxinclinic.patients.access import chart_for, own_patient
from toxinclinic.patients.models import Patient

API_PREFIX = "/questionnaires"
router = Router(tags=["questionnaires"])


class ItemOut(Schema):
    key: str
    text: str
    minimum: int
    maximum: int
    choices: list[list[str]] = Field(..., description="[value, label] pairs; empty: a whole number in range")
    scored: bool


class InstrumentOut(Schema):
    key: str
    name: str
    short: str
    intro: str
    indications: list[str]
    items: list[ItemOut]


@router.get("", response=list[InstrumentOut], summary="The questionnaires, their items and allowed answers")
def questionnaire_instruments(request: HttpRequest) -> Any:
    return [
        {
            "key": i.key,
            "name": i.name,
            "short": i.short,
            "intro": i.intro,
            "indications": sorted(i.indications),
            "items": [
                {
                    "key": it.key,
                    "text": it.text,
                    "minimum": it.minimum,
                    "maximum": it.maximum,
                    "choices": [list(c) for c in it.choices],
                    "scored": it.scored,
                }
                for it in i.items
            ],
        }
        for i in INSTRUMENTS.values()
    ]


class DueOut(Schema):
    instrument: str
    timepoint: str
    since: dt.date
    reason: str


@router.get("/due", response=list[DueOut], summary="Questionnaires I should answer now")
def my_due_questionnaires(request: HttpRequest) -> Any:
    patient = own_patient(request.user)
    return [
        {"instrument": d.instrument.key, "timepoint": d.timepoint, "since": d.since, "reason": d.reason}
        for d in services.due_for(patient)
    ]


class ResponseOut(Schema):
    id: uuid.UUID
    instrument: str
    completed_on: dt.date
    timepoint: str
    total: float
    band: str
    band_label: str
    subscores: dict[str, Any]
    answers: dict[str, Any]
    change_since_baseline: float | None = Field(None, description="total minus the baseline total")
    is_baseline: bool = False


def _history(patient: Patient) -> list[dict[str, Any]]:
    out = []
    for h in services.history_for(patient):
        for row in h.rows:
            r = row.response
            out.append(
                {
                    "id": r.public_id,
                    "instrument": r.instrument,
                    "completed_on": r.completed_on,
                    "timepoint": r.timepoint,
                    "total": r.total,
                    "band": r.band,
                    "band_label": r.band_label,
                    "subscores": r.subscores,
                    "answers": r.answers,
                    "change_since_baseline": row.change,
                    "is_baseline": r.pk == h.baseline.pk,
                }
            )
    return out


@router.get(
    "/responses",
    response=list[ResponseOut],
    summary="My answered questionnaires, newest first per instrument",
)
def my_questionnaire_responses(request: HttpRequest) -> Any:
    return _history(own_patient(request.user))


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(..., description="item key -> answer (see GET /questionnaires)")


@router.post(
    "/{instrument}/responses",
    response={201: ResponseOut},
    summary="Answer a questionnaire (every item required; scored by the clinical engine)",
)
def submit_questionnaire(request: HttpRequest, instrument: str, payload: AnswersIn) -> Any:
    patient = own_patient(request.user)
    if not can_answer_questionnaire(request.user, patient):
        raise PermissionDenied
    if instrument not in INSTRUMENTS:
        raise Http404(f"No questionnaire {instrument[:20]!r}; see GET /api/v1/questionnaires.")
    try:
        r = services.submit(patient, instrument, payload.answers, actor=request.user)
    except FieldError as exc:
        raise FieldError({f"answers.{k}" if k != "answers" else k: v for k, v in exc.errors.items()}) from exc
    row = next(x for x in _history(patient) if x["id"] == r.public_id)
    return Status(201, row)


@router.get(
    "/patients/{patient_id}/responses",
    response=list[ResponseOut],
    summary="A patient's questionnaire history with change since baseline (staff of their clinic)",
)
def patient_questionnaire_responses(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, can=can_view_questionnaires, what="questionnaires (API)")
    return _history(patient)

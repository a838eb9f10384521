"""Questionnaire use cases: which are due, submit (scored by the engine), history with change since baseline.

Due rules (parameters in ``outcomes.conf``):

* **Baseline** — before the first treatment session, each questionnaire for the patient's indications
  (migraine: MIDAS, HIT-6; cervical dystonia: TWSTRS patient parts, pain score) is due until answered once.
* **Before re-injection** — from ``TOXINCLINIC_QUESTIONNAIRE_BEFORE_WINDOW_DAYS`` (14) days before the next
  injection window opens (``clinical.recall.recall_window`` from the last session) until one is answered
  on or after that day; it stays due if the window opens and the patient is late.
* **After treatment** — PGIC from ``TOXINCLINIC_PGIC_AFTER_DAYS`` (14) days after the last session until
  answered on or after that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.services import record_change
from toxinclinic.outcomes import conf
from toxinclinic.outcomes.instruments import (
    AFTER_TREATMENT,
    INSTRUMENTS,
    REPEATED,
    Instrument,
    clean_answers,
    score,
)
from toxinclinic.outcomes.models import QuestionnaireResponse, Timepoint
from toxinclinic.patients.models import Patient, PatientIndication
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.services import last_session, next_window


@dataclass(frozen=True)
class Due:
    instrument: Instrument
    timepoint: str
    since: dt.date
    reason: str


def indications_for(patient: Patient) -> list[str]:
    inds = set(PatientIndication.objects.filter(patient=patient).values_list("indication", flat=True))
    inds |= set(TreatmentSession.objects.filter(patient=patient).values_list("indication", flat=True))
    return sorted(i for i in inds if i in REPEATED)


def _latest(patient: Patient) -> dict[str, dt.date]:
    rows = (
        QuestionnaireResponse.objects.filter(patient=patient)
        .values("instrument")
        .annotate(last=Max("completed_on"))
    )
    return {r["instrument"]: r["last"] for r in rows}


def _pre_window_start(session: TreatmentSession) -> tuple[dt.date, dt.date]:
    window = next_window(session.injected_on)
    return window.opens - dt.timedelta(days=conf.before_window_days()), window.opens


def due_for(patient: Patient, today: dt.date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    latest = _latest(patient)
    last = last_session(patient, today)
    out: list[Due] = []
    seen: set[str] = set()
    for ind in indications_for(patient):
        for key in REPEATED[ind]:
            if key in seen:
                continue
            seen.add(key)
            inst = INSTRUMENTS[key]
            if last is None:
                if key not in latest:
                    out.append(
                        Due(inst, Timepoint.BASELINE, patient.enrolled_on, "baseline, before treatment")
                    )
                continue
            start, opens = _pre_window_start(last)
            if today >= start and (key not in latest or latest[key] < start):
                out.append(
                    Due(
                        inst,
                        Timepoint.PRE_INJECTION,
                        start,
                        f"before your next injection (due from {format_date(opens, style='day_month')})",
                    )
                )
    if last is not None:
        start = last.injected_on + dt.timedelta(days=conf.pgic_after_days())
        for key in AFTER_TREATMENT:
            if today >= start and (key not in latest or latest[key] < start):
                out.append(
                    Due(
                        INSTRUMENTS[key],
                        Timepoint.AFTER_TREATMENT,
                        start,
                        f"after your treatment on {format_date(last.injected_on, style='day_month')}",
                    )
                )
    return out


def submit(
    patient: Patient, instrument_key: str, raw: Mapping[str, Any], *, actor: Any, today: dt.date | None = None
) -> QuestionnaireResponse:
    """Validate every item, score with the engine, store and audit. Raises ``IncompleteForm``."""
    today = today or timezone.localdate()
    inst = INSTRUMENTS[instrument_key]
    answers = clean_answers(inst, raw)
    result = score(inst, answers)
    last = last_session(patient, today)
    due = {d.instrument.key: d for d in due_for(patient, today)}
    if inst.key in due:
        timepoint = due[inst.key].timepoint
    elif last is None and inst.key not in AFTER_TREATMENT:
        timepoint = Timepoint.BASELINE
    else:
        timepoint = Timepoint.OTHER
    with transaction.atomic():
        resp = QuestionnaireResponse.objects.create(
            patient=patient,
            clinic_id=patient.clinic_id,
            instrument=inst.key,
            answers=answers,
            total=result.total,
            band=result.band,
            band_label=result.band_label,
            subscores=result.subscores,
            timepoint=timepoint,
            session=last,
            completed_on=today,
            entered_by=actor if getattr(actor, "pk", None) else None,
        )
        record_change("questionnaire.submitted", resp, None, actor=actor)
    return resp


@dataclass(frozen=True)
class HistoryRow:
    response: QuestionnaireResponse
    change: float | None  # total minus the baseline total (None for the baseline itself and for PGIC)


@dataclass(frozen=True)
class InstrumentHistory:
    instrument: Instrument
    baseline: QuestionnaireResponse
    latest: QuestionnaireResponse
    rows: list[HistoryRow]  # newest first

    @property
    def change(self) -> float | None:
        return self.rows[0].change if self.rows else None


def baseline_of(responses: list[QuestionnaireResponse]) -> QuestionnaireResponse:
    """The first response marked baseline, else the earliest one."""
    for r in responses:
        if r.timepoint == Timepoint.BASELINE:
            return r
    return responses[0]


def history_for(patient: Patient) -> list[InstrumentHistory]:
    by: dict[str, list[QuestionnaireResponse]] = {}
    for r in QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_on", "id"):
        by.setdefault(r.instrument, []).append(r)
    out = []
    for key, inst in INSTRUMENTS.items():
        rs = by.get(key)
        if not rs:
            continue
        base = baseline_of(rs)
        rows = []
        for r in reversed(rs):
            change = None
            if key not in AFTER_TREATMENT and r.pk != base.pk and r.completed_on >= base.completed_on:
                change = r.total - base.total
            rows.append(HistoryRow(r, change))
        out.append(InstrumentHistory(inst, base, rs[-1], rows))
    return out

"""Hand-built patients for the cycle tests: sessions, stored diary months and questionnaire totals."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from toxinclinic.clinical import diary
from toxinclinic.diary.models import DiaryMonth
from toxinclinic.diary.signals import month_stored
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.signals import session_recorded


def session(
    patient: Any,
    on: dt.date,
    *,
    product: str = "botox",
    units: float = 155,
    indication: str = "chronic_migraine",
) -> TreatmentSession:
    s = TreatmentSession.objects.create(
        patient=patient,
        clinic_id=patient.clinic_id,
        visit_id=uuid.uuid4(),
        injected_on=on,
        product=product,
        indication=indication,
        total_units=units,
        sites=[{"muscle": "frontalis", "side": "left", "units": 5.0}] * 31,
    )
    # As the treatment room's writer does after storing a session.
    session_recorded.send(sender=TreatmentSession, session=s, created=True)
    return s


def month(patient: Any, first: dt.date, recorded: int, headache: int, migraine: int) -> DiaryMonth:
    n = diary.month_end(first).day
    need = diary.min_days_required(n)
    row = DiaryMonth.objects.create(
        patient=patient,
        clinic_id=patient.clinic_id,
        month=first,
        period_start=first,
        period_end=diary.month_end(first),
        days_in_period=n,
        days_recorded=recorded,
        min_days_required=need,
        sufficient=recorded >= need,
        headache_days=headache,
        migraine_days=migraine,
        moderate_severe_days=0,
        acute_medication_days=0,
        triptan_or_ergot_days=0,
        headache_days_per_30=round(headache * 30 / recorded, 1) if recorded else None,
        migraine_days_per_30=round(migraine * 30 / recorded, 1) if recorded else None,
    )
    # As the diary's writers do after storing a month's counts.
    month_stored.send(sender=DiaryMonth, patient_id=patient.pk, month=first, counted=True)
    return row


def score(patient: Any, instrument: str, on: dt.date, total: float) -> QuestionnaireResponse:
    return QuestionnaireResponse.objects.create(
        patient=patient,
        clinic_id=patient.clinic_id,
        instrument=instrument,
        answers={},
        total=total,
        timepoint="other",
        completed_on=on,
    )


def story(
    patient: Any, start: dt.date, baseline: int, per_cycle: list[int], *, cycles: int = 3
) -> list[dt.date]:
    """A chronic-migraine patient: 2 baseline months at ``baseline`` headache days (of 30 recorded), then
    sessions every 84 days from the 5th of ``start``'s third month, each cycle's months at the next
    ``per_cycle`` count; HIT-6 62 before, then falling by 3 a cycle."""
    first = start.replace(day=1)
    months = [diary.shift_month(first, i) for i in range(2 + 3 * cycles)]
    sessions = [months[2].replace(day=5) + dt.timedelta(days=84 * i) for i in range(cycles)]
    for s in sessions:
        session(patient, s)
    for m in months:
        n = diary.cycle_of_month(m, sessions)
        hd = baseline if n == 0 else per_cycle[min(n, len(per_cycle)) - 1]
        month(patient, m, 28, hd, max(0, hd - 4))
    score(patient, "hit6", sessions[0] - dt.timedelta(days=3), 62)
    for i, s in enumerate(sessions):
        score(patient, "hit6", s + dt.timedelta(days=60), 62 - 3 * (i + 1))
    return sessions

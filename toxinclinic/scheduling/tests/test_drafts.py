"""On the day of an injection appointment the visit draft opens (once), through the visits room's
public ``create_visit``, with the indication and product of the patient's recall."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import Ticker
from toxinclinic.scheduling import drafts
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, Recall
from toxinclinic.visits.models import Visit, VisitStatus

pytestmark = pytest.mark.django_db


def _appt(world: Any, patient: Any, day: dt.date, kind: str = AppointmentKind.INJECTION) -> Appointment:
    start = dt.datetime.combine(day, dt.time(12), tzinfo=clinic_tz(world.clinic))
    return Appointment.objects.create(
        clinic=world.clinic,
        patient=patient,
        clinician=world.user("clinician"),
        kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
    )


def _recall(world: Any, patient: Any) -> None:
    last = timezone.localdate() - dt.timedelta(days=84)
    Recall.objects.create(
        clinic=world.clinic,
        patient=patient,
        indication="cervical_dystonia",
        product="xeomin",
        last_session_on=last,
        opens_on=timezone.localdate(),
        due_on=timezone.localdate(),
        last_visit_id=uuid.uuid4(),
    )


def test_todays_injection_appointment_opens_one_draft(world: Any) -> None:
    today = timezone.localdate()
    _recall(world, world.patient)
    _recall(world, world.patient2)
    appt = _appt(world, world.patient, today)
    _appt(world, world.patient2, today + dt.timedelta(days=1))  # tomorrow: not yet
    _appt(world, world.patient2, today, kind=AppointmentKind.PHONE)  # a phone call needs no draft
    cancelled = _appt(world, world.patient2, today)
    cancelled.status = AppointmentStatus.CANCELLED
    cancelled.save()
    assert drafts.open_due_drafts() == 1
    appt.refresh_from_db()
    visit = Visit.objects.get(public_id=appt.visit_id)
    assert visit.status == VisitStatus.DRAFT and visit.visit_date == today and visit.patient == world.patient
    assert (visit.indication, visit.product) == ("cervical_dystonia", "xeomin")
    assert drafts.open_due_drafts() == 0 and Visit.objects.count() == 1  # idempotent


def test_no_recall_no_draft_and_the_chain_starts_once(world: Any) -> None:
    _appt(world, world.patient, timezone.localdate())
    assert drafts.open_due_drafts() == 0 and not Visit.objects.exists()
    drafts.ensure_ticking()
    drafts.ensure_ticking()
    assert Ticker.objects.filter(name=drafts.TICKER).count() == 1

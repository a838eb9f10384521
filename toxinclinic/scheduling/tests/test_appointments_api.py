"""The published read interface other rooms use: each patient's next appointment, and who is booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.scheduling.appointments import has_booked_or_open, next_appointments
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

pytestmark = pytest.mark.django_db


def _appt(
    world: Any, patient: Any, days: int, kind: str = AppointmentKind.INJECTION, **kw: Any
) -> Appointment:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return Appointment.objects.create(
        clinic=patient.clinic,
        patient=patient,
        clinician=world.user("clinician"),
        kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        **kw,
    )


def test_next_appointment_per_patient_skips_past_and_cancelled(world: Any) -> None:
    _appt(world, world.patient, -3)
    _appt(world, world.patient, 2, status=AppointmentStatus.CANCELLED)
    later = _appt(world, world.patient, 9)
    _appt(world, world.patient, 20)
    phone = _appt(world, world.patient2, 4, kind=AppointmentKind.PHONE)
    ids = [world.patient.pk, world.patient2.pk, world.other_patient.pk]
    got = next_appointments(world.clinic.pk, ids)
    assert got == {world.patient.pk: later, world.patient2.pk: phone}
    assert next_appointments(world.clinic.pk, ids, kind=AppointmentKind.INJECTION) == {
        world.patient.pk: later
    }
    assert next_appointments(world.other_clinic.pk, ids) == {}
    assert has_booked_or_open(world.clinic.pk, ids) == {world.patient.pk}  # a phone call is not a booking

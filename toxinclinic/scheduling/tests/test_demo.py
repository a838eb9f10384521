"""The demo: future appointments booked inside hours, and each patient's last signed session as the injection
appointment it was, attended (so the portal's "last appointment" and the schedule's past days are real)."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command

from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from toxinclinic.treatment.models import TreatmentSession


@pytest.mark.django_db(transaction=True)
def test_demo_attended_history_matches_the_last_sessions() -> None:
    call_command("demo_seed", patients=10, seed=3, verbosity=0)
    attended = list(Appointment.objects.filter(status=AppointmentStatus.ATTENDED).select_related("clinic"))
    assert attended and all(a.kind == AppointmentKind.INJECTION for a in attended)
    for a in attended:
        last = TreatmentSession.objects.filter(patient_id=a.patient_id).order_by("-injected_on").first()
        assert last is not None and a.visit_id == last.visit_id
        assert a.starts_at.astimezone(clinic_tz(a.clinic)).date() == last.injected_on
    spans = sorted((a.clinician_id, a.starts_at, a.ends_at) for a in attended)
    assert all(x[0] != y[0] or x[2] <= y[1] for x, y in itertools.pairwise(spans))  # no overlap
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()

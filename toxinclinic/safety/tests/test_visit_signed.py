"""A signed visit (the visits app's ``visit_signed`` signal) becomes a session snapshot with check-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.models import AuditEvent
from toxinclinic.safety.models import CheckIn
from toxinclinic.testing import days_ago, sign_visit, today
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.services import treatment_status

pytestmark = pytest.mark.django_db


def test_signal_stores_snapshot_and_schedules_check_ins(world: Any) -> None:
    visit_id = sign_visit(world.patient, days_ago(1), world.user("clinician"), total_units=195.0)
    s = TreatmentSession.objects.get(visit_id=visit_id)
    assert (s.patient, s.clinic_id, s.product, s.total_units) == (
        world.patient,
        world.clinic.pk,
        "botox",
        195.0,
    )
    assert s.sites[0] == {"muscle": "frontalis", "side": "left", "units": 5.0}
    assert s.signed_by_label == "Clinician Tester"
    due = sorted(CheckIn.objects.filter(session=s).values_list("day_offset", "due_on"))
    assert due == [(3, days_ago(1) + dt.timedelta(days=3)), (14, days_ago(1) + dt.timedelta(days=14))]
    assert AuditEvent.objects.filter(action="treatment_session.recorded", object_id=str(s.public_id)).exists()


@override_settings(TOXINCLINIC_CHECKIN_DAYS=[2, 7, 21])
def test_check_in_days_are_configurable(world: Any) -> None:
    sign_visit(world.patient, today())
    assert sorted(CheckIn.objects.values_list("day_offset", flat=True)) == [2, 7, 21]


def test_signal_again_for_the_same_visit_updates_not_duplicates(world: Any) -> None:
    from toxinclinic.core.signals import visit_signed

    visit_id = sign_visit(world.patient, days_ago(2))
    visit_signed.send(
        sender=None,
        visit_id=visit_id,
        patient=world.patient,
        clinic_id=world.clinic.pk,
        injected_on=days_ago(2),
        product="botox",
        indication="chronic_migraine",
        total_units=160.0,
        sites=[],
        signed_by=None,
    )
    assert TreatmentSession.objects.count() == 1
    assert TreatmentSession.objects.get().total_units == 160.0
    assert CheckIn.objects.count() == 2


def test_next_window_from_last_session(world: Any) -> None:
    sign_visit(world.patient, days_ago(100))
    sign_visit(world.patient, days_ago(10))
    st = treatment_status(world.patient)
    assert st.last is not None and st.last.injected_on == days_ago(10)
    assert st.window is not None and st.window.opens == days_ago(10) + dt.timedelta(days=84)
    assert not st.window_open
    assert any(a.urgent for a in st.aftercare)


def test_dashboard_shows_window_aftercare_and_check_in(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(3))
    page = client_as("patient").get("/home/").content.decode()
    assert "Answer your day-3 check-in" in page
    opens = days_ago(3) + dt.timedelta(days=84)
    long_date = format_date(opens, world.clinic, "long")
    assert long_date == f"{opens:%B} {opens.day}, {opens.year}"  # a US clinic: "February 20, 2027"
    assert f"opens on <strong>{long_date}</strong>" in page
    assert "Do not rub or massage the injection sites" in page

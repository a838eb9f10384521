"""The treatment room: a signed visit becomes one stored session; the shared reads answer from it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings

from toxinclinic.audit.models import AuditEvent
from toxinclinic.testing import days_ago, sign_visit, today
from toxinclinic.treatment import services
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.signals import session_recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Any:
    calls: list[tuple[str, bool]] = []

    def listener(sender: Any, session: TreatmentSession, created: bool, **kw: Any) -> None:
        calls.append((str(session.visit_id), created))

    session_recorded.connect(listener, dispatch_uid="test.heard")
    yield calls
    session_recorded.disconnect(dispatch_uid="test.heard")


def test_signed_visit_is_stored_once_audited_and_announced(world: Any, heard: list[Any]) -> None:
    visit_id = sign_visit(world.patient, days_ago(3), world.user("clinician"), total_units=195.0)
    s = TreatmentSession.objects.get(visit_id=visit_id)
    assert (s.patient_id, s.clinic_id, s.total_units, s.injected_on) == (
        world.patient.pk,
        world.clinic.pk,
        195.0,
        days_ago(3),
    )
    assert heard == [(visit_id, True)]
    recorded = AuditEvent.objects.filter(action="treatment_session.recorded", object_id=str(s.public_id))
    assert recorded.count() == 1


def test_recording_the_same_visit_again_refreshes_and_says_not_created(world: Any, heard: list[Any]) -> None:
    visit_id = sign_visit(world.patient, days_ago(3))
    services.record_session(
        visit_id=visit_id,
        patient=world.patient,
        clinic_id=world.clinic.pk,
        injected_on=days_ago(3),
        product="botox",
        indication="chronic_migraine",
        total_units=160.0,
        sites=[],
    )
    assert TreatmentSession.objects.get().total_units == 160.0
    assert heard == [(visit_id, True), (visit_id, False)]
    assert AuditEvent.objects.filter(action="treatment_session.updated").count() == 1


def test_last_session_ignores_a_future_dated_session_and_dates_are_oldest_first(world: Any) -> None:
    sign_visit(world.patient, days_ago(100))
    sign_visit(world.patient, days_ago(10))
    sign_visit(world.patient, today() + dt.timedelta(days=5))
    last = services.last_session(world.patient)
    assert last is not None and last.injected_on == days_ago(10)
    assert services.injection_dates(world.patient) == [
        days_ago(100),
        days_ago(10),
        today() + dt.timedelta(days=5),
    ]


def test_next_window_uses_the_one_interval_setting(world: Any) -> None:
    sign_visit(world.patient, days_ago(10))
    assert services.treatment_status(world.patient).window.due == days_ago(10) + dt.timedelta(days=84)
    with override_settings(TOXINCLINIC_RECALL_INTERVAL_DAYS=90):
        status = services.treatment_status(world.patient)
        assert status.window.due == days_ago(10) + dt.timedelta(days=90)
        assert status.days_since == 10 and not status.window_open


def test_no_session_means_no_window(world: Any) -> None:
    status = services.treatment_status(world.patient)
    assert (status.last, status.window, status.days_since, status.window_open) == (None, None, None, False)


def test_two_sessions_on_one_day_are_one_injection_date(world: Any) -> None:
    sign_visit(world.patient, days_ago(20), indication="chronic_migraine")
    sign_visit(world.patient, days_ago(20), indication="cervical_dystonia", total_units=200.0)
    assert services.injection_dates(world.patient) == [days_ago(20)]


def test_days_until_window_counts_from_the_judged_day(world: Any) -> None:
    sign_visit(world.patient, days_ago(10))
    status = services.treatment_status(world.patient, today=days_ago(4))
    assert status.days_since == 6 and status.days_until_window == 84 - 6

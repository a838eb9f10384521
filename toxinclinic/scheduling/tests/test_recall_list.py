"""Signing sets the recall (12 weeks, from the engine) in an indexed due date — once the signed session is
recorded after commit (the treatment room's ``session_recorded``); the coordinator's list shows who is
overdue and who is due soon."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from toxinclinic.scheduling.models import Recall
from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign(world: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Sign as a clinician and run what signing does after commit (the session, then the recall)."""

    def run(visit: Any, **kw: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            svc.sign_visit(
                visit,
                world.user("clinician"),
                expected_version=visit.version,
                acknowledge_warnings=True,
                **kw,
            )

    return run


def test_recall_is_written_with_the_signing_and_rolls_back_with_it(world: Any) -> None:
    """The recall is part of the signing transaction (``visit_signed`` is sent inside it, so a crash after the
    commit cannot leave a signed visit without its recall): a signing rolled back leaves none behind."""
    v = prepared_visit(world, visit_date=timezone.localdate() - dt.timedelta(days=100))

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        svc.sign_visit(v, world.user("clinician"), expected_version=v.version, acknowledge_warnings=True)
        assert Recall.objects.filter(patient=world.patient).exists()
        raise Abort
    assert not Recall.objects.filter(patient=world.patient).exists()
    v.refresh_from_db()
    svc.sign_visit(v, world.user("clinician"), expected_version=v.version, acknowledge_warnings=True)
    assert Recall.objects.get(patient=world.patient).due_on == v.visit_date + dt.timedelta(days=84)


def test_recall_due_in_twelve_weeks_and_listed(world: Any, client_as: Any, sign: Any) -> None:
    today = timezone.localdate()
    old = prepared_visit(world, visit_date=today - dt.timedelta(days=100))
    sign(old)
    recent = prepared_visit(world, patient=world.patient2, visit_date=today - dt.timedelta(days=70))
    sign(recent)
    r = Recall.objects.get(patient=world.patient)
    assert r.due_on == old.visit_date + dt.timedelta(days=84) and r.last_visit_id == old.public_id
    c = client_as("coordinator")
    overdue = c.get("/api/v1/recalls?which=overdue").json()["items"]
    assert [x["patient_name"] for x in overdue] == ["Ada Lovelace"]
    due = c.get("/api/v1/recalls?which=due").json()["items"]
    assert [x["patient_name"] for x in due] == ["Ada Lovelace", "Grace Hopper"]  # 14 days ahead is within 28
    page = c.get("/scheduling/recalls/?which=due").content.decode()
    assert "overdue" in page and "in 14 days" in page
    assert "due 12 weeks after the last signed session" in page  # the engine's 84 days
    assert "Lovelace" not in client_as("other_clinician").get("/scheduling/recalls/").content.decode()


def test_late_entered_history_does_not_move_the_recall_back(world: Any, sign: Any) -> None:
    today = timezone.localdate()
    newer = prepared_visit(world, visit_date=today - dt.timedelta(days=10))
    sign(newer)
    older = prepared_visit(world, visit_date=today - dt.timedelta(days=120))
    sign(older, overrides={"min_interval": "Entered late from paper"})
    assert Recall.objects.get(patient=world.patient).last_session_on == newer.visit_date


def test_the_clinics_interval_setting_sets_the_due_date(
    world: Any, client_as: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The setting the patient's aftercare screen reads moves the coordinator's due date too."""
    settings.TOXINCLINIC_RECALL_INTERVAL_DAYS = 91
    v = prepared_visit(world, visit_date=timezone.localdate() - dt.timedelta(days=100))
    with django_capture_on_commit_callbacks(execute=True):
        svc.sign_visit(
            v,
            world.user("clinician"),
            expected_version=v.version,
            acknowledge_warnings=True,
            archive_pdf=False,
        )
    r = Recall.objects.get(patient=world.patient)
    assert r.due_on == v.visit_date + dt.timedelta(days=91) == r.opens_on
    from toxinclinic.treatment.services import treatment_status

    assert treatment_status(world.patient).window.due == r.due_on  # the patient sees the same date
    assert (
        "due 13 weeks after the last signed session"
        in client_as("coordinator").get("/scheduling/recalls/").content.decode()
    )
    assert (
        "(13 weeks after this visit)"
        in client_as("coordinator").get(f"/visits/{v.public_id}/").content.decode()
    )


def test_an_open_visit_is_not_overdue_and_names_link_to_the_chart(
    world: Any, client_as: Any, sign: Any
) -> None:
    today = timezone.localdate()
    old = prepared_visit(world, visit_date=today - dt.timedelta(days=100))
    sign(old)
    c = client_as("coordinator")
    page = c.get("/scheduling/recalls/?which=overdue").content.decode()
    assert f'href="/patients/{world.patient.public_id}/">Lovelace, Ada</a>' in page
    assert ">overdue<" in page
    # The patient is back and the nurse has opened today's visit: being treated, not overdue.
    today_visit = svc.create_visit(
        world.patient,
        actor=world.user("nurse"),
        visit_date=today,
        indication="chronic_migraine",
        product="botox",
    )
    page = c.get("/scheduling/recalls/?which=overdue").content.decode()
    assert "Lovelace" not in page and "Nobody in this view." in page
    assert [x["patient_name"] for x in c.get("/api/v1/recalls?which=overdue").json()["items"]] == []
    page = c.get("/scheduling/recalls/?which=due").content.decode()
    assert "Lovelace" in page and ">overdue<" not in page
    assert f'href="/visits/{today_visit.public_id}/">visit open since ' in page

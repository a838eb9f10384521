"""The reminder sweep: each fact is messaged once, on its day, through the patient's choices, and a
message whose fact went away (a newer session, a filled-in diary) is cancelled before it goes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.diary.models import DiaryEntry
from toxinclinic.messaging import preferences
from toxinclinic.messaging.models import Message, Status
from toxinclinic.reminders import services
from toxinclinic.reminders.models import ReminderSettings
from toxinclinic.testing import days_ago, sign_visit, today
from toxinclinic.treatment.services import next_window, sessions_for

pytestmark = pytest.mark.django_db

CLINICAL_WORDS = ("botox", "migraine", "155", "units", "Lovelace", "headache days")


@pytest.fixture(autouse=True)
def email(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def window_offset() -> int:
    """Days from a session to the day its window opens (the engine's, at the clinic's interval)."""
    return (next_window(today()).opens - today()).days


def _no_clinical_detail(msg: Message) -> None:
    text = (msg.subject + msg.body).lower()
    for word in CLINICAL_WORDS:
        assert word.lower() not in text, word


def test_window_opens_is_queued_on_its_day_once(world: Any) -> None:
    sign_visit(world.patient, days_ago(window_offset() - 1))
    assert services.sweep()["window_opens"] == 0  # opens tomorrow: nothing yet
    Message.objects.all().delete()
    sessions_for(world.patient).delete()
    sign_visit(world.patient, days_ago(window_offset()))
    session = sessions_for(world.patient).get()
    assert services.sweep()["window_opens"] == 1
    services.sweep()
    [msg] = Message.objects.filter(kind="window_opens")
    assert msg.idempotency_key == f"window-opens:{session.public_id}"
    assert msg.topic == f"window-opens:{world.patient.public_id}"
    assert msg.address == world.patient.email and "/home/" in msg.body and "/messaging/contact/" in msg.body
    _no_clinical_detail(msg)
    tz = timezone.get_current_timezone()
    nine = dt.datetime.combine(today(), dt.time(9), tzinfo=tz)
    assert msg.next_attempt_at >= min(nine, timezone.now()) - dt.timedelta(seconds=5)


def test_a_new_session_cancels_the_pending_window_opens_of_the_previous(world: Any) -> None:
    sign_visit(world.patient, days_ago(window_offset()))
    services.sweep()
    [msg] = Message.objects.filter(kind="window_opens")
    assert msg.status == Status.QUEUED
    sign_visit(world.patient, today())
    msg.refresh_from_db()
    assert msg.status == Status.CANCELLED and "newer treatment" in msg.last_error
    services.sweep()
    assert Message.objects.filter(kind="window_opens", status=Status.QUEUED).count() == 0


def test_opted_out_patient_gets_no_window_opens(world: Any) -> None:
    preferences.save_choices(world.patient, channel="email", reminders_on=[], actor=world.user("patient"))
    sign_visit(world.patient, days_ago(window_offset()))
    assert services.sweep()["window_opens"] == 0 and not Message.objects.filter(kind="window_opens").exists()


def _diary(patient: Any, *days: dt.date) -> None:
    for d in days:
        DiaryEntry.objects.create(patient=patient, clinic=patient.clinic, date=d)


def test_diary_gap_nudges_once_per_gap_and_not_before_n_days(world: Any) -> None:
    ReminderSettings.objects.create(clinic=world.clinic, diary_gap_days=3)
    _diary(world.patient, days_ago(10), days_ago(3))  # 3 days since: not yet
    _diary(world.patient2, days_ago(10), days_ago(4))  # 4 days since: nudge
    assert services.sweep()["diary_nudges"] == 1
    services.sweep()
    [msg] = Message.objects.filter(kind="diary_nudge")
    assert msg.recipient_patient == world.patient2
    assert msg.idempotency_key == f"diary-gap:{world.patient2.public_id}:{days_ago(3).isoformat()}"
    assert "/diary/" in msg.body
    _no_clinical_detail(msg)


def test_a_filled_in_gap_cancels_the_pending_nudge(world: Any) -> None:
    _diary(world.patient, days_ago(6))
    services.sweep()
    [msg] = Message.objects.filter(kind="diary_nudge")
    _diary(world.patient, days_ago(1))
    assert services.sweep()["diary_nudges_cancelled"] == 1
    msg.refresh_from_db()
    assert msg.status == Status.CANCELLED and "filled in" in msg.last_error


def test_no_diary_nudges_when_the_clinic_turns_them_off_or_the_gap_is_old(world: Any) -> None:
    _diary(world.patient, days_ago(40))  # an old gap: no late nudge
    assert services.sweep()["diary_nudges"] == 0
    ReminderSettings.objects.create(clinic=world.clinic, diary_gap_days=0)
    _diary(world.patient2, days_ago(5))
    assert services.sweep()["diary_nudges"] == 0


def test_questionnaire_due_after_treatment_is_announced_once(world: Any, settings: Any) -> None:
    settings.TOXINCLINIC_PGIC_AFTER_DAYS = 14
    sign_visit(world.patient, days_ago(14))
    assert services.sweep()["questionnaires_due"] == 1
    services.sweep()
    [msg] = Message.objects.filter(kind="questionnaire_due")
    assert msg.idempotency_key == f"questionnaire-due:{world.patient.public_id}:{today().isoformat()}"
    assert "/questionnaires/" in msg.body or "/outcomes/" in msg.body
    _no_clinical_detail(msg)


def test_patients_without_a_portal_login_are_not_reminded(world: Any) -> None:
    world.patient.user = None
    world.patient.save()
    sign_visit(world.patient, days_ago(window_offset()))
    _diary(world.patient, days_ago(6))
    services.sweep()
    assert not Message.objects.filter(recipient_patient=world.patient).exists()

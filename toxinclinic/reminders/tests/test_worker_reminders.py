"""Reminders through real ``manage.py db_worker`` processes: held by quiet hours and sent once when the
clock reaches their time (time moved forward in the database, not slept), never sent after a cancel or
an opt-out, and retried when the channel fails."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from toxinclinic.messaging import preferences, services
from toxinclinic.messaging.channels import key_filename
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import ClinicMessagingSettings, Message, Outcome, Status
from toxinclinic.messaging.tests.test_worker_process import (
    delivered_files,
    shared_database,
    start_worker,
    stop,
    wait_for,
)
from toxinclinic.reminders import conf as reminder_conf
from toxinclinic.reminders import services as reminders
from toxinclinic.testing import days_ago, sign_visit, today
from toxinclinic.treatment.services import next_window

pytestmark = pytest.mark.django_db(transaction=True)

FILE = "toxinclinic.messaging.channels.FileChannel"
FLAKY = "toxinclinic.messaging.tests.channels.FlakyFileChannel"


@pytest.fixture
def sms(settings: Any, tmp_path: Path, world: Any) -> Path:
    directory = tmp_path / "sms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
        "sms": {"BACKEND": FILE, "OPTIONS": {"directory": str(directory)}},
    }
    settings.TOXINCLINIC_MESSAGING_SWEEP_SECONDS = 1
    world.patient.phone = "+1 212 555 0101"
    world.patient.save()
    # Text messages, window-opens only (so the files are only the messages under test).
    preferences.save_choices(world.patient, channel="sms", reminders_on=["window_opens"], actor=None)
    return directory


def _quiet_now(clinic: Any) -> dt.datetime:
    """Quiet hours around the moment today's reminder is due (an hour either side, clinic time): now, or
    the reminder hour when that is still to come today (before it, the sweep queues it for then);
    returns when they end."""
    tz = clinic_tz(clinic)
    local = timezone.now().astimezone(tz)
    due = max(local, dt.datetime.combine(local.date(), reminder_conf.send_at()).replace(tzinfo=tz))
    start, end = due - dt.timedelta(hours=1), due + dt.timedelta(hours=1)
    ClinicMessagingSettings.objects.update_or_create(
        clinic=clinic, defaults={"quiet_from": start.time().replace(microsecond=0),
                                 "quiet_until": end.time().replace(second=0, microsecond=0)},
    )  # fmt: skip
    return end.replace(second=0, microsecond=0)


def _window_opens_today(patient: Any) -> None:
    sign_visit(patient, days_ago((next_window(today()).opens - today()).days))


def move_clock_forward(delta: dt.timedelta) -> None:
    """Everything waiting becomes due as if ``delta`` had passed: due times and task run-afters move back."""
    for m in Message.objects.filter(next_attempt_at__isnull=False):
        Message.objects.filter(pk=m.pk).update(next_attempt_at=m.next_attempt_at - delta)
    for t in DBTaskResult.objects.filter(status="READY").exclude(run_after=get_date_max()):
        DBTaskResult.objects.filter(pk=t.pk).update(run_after=t.run_after - delta)


def test_held_by_quiet_hours_then_sent_once_when_they_end(world: Any, sms: Path, tmp_path: Path) -> None:
    ends = _quiet_now(world.clinic)
    _window_opens_today(world.patient)
    reminders.sweep()
    [msg] = Message.objects.filter(kind="window_opens")
    assert msg.deferred_from is not None and msg.next_attempt_at == ends
    log = tmp_path / "worker.log"
    with shared_database(tmp_path) as (url, read):
        worker = start_worker(url, FILE, sms, log)
        try:
            wait_for(lambda: "Starting worker" in log.read_text(), "the worker to start")
            time.sleep(2)  # two sweeps pass: it is not due, so nothing is sent
            assert read("status", msg.pk) == Status.QUEUED and delivered_files(sms) == []
        finally:
            stop(worker)
    move_clock_forward(ends - timezone.now() + dt.timedelta(seconds=1))
    with shared_database(tmp_path) as (url, read):
        worker = start_worker(url, FILE, sms, log)
        try:
            wait_for(lambda: read("status", msg.pk) == Status.SENT, "the reminder to be sent")
        finally:
            stop(worker)
    msg.refresh_from_db()
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.SENT]
    assert delivered_files(sms) == [key_filename(msg.idempotency_key)]
    text = (sms / key_filename(msg.idempotency_key)).read_text()
    assert "+1 212 555 0101" in text and "botox" not in text.lower()
    # The sweep again: the same fact, the same key, nothing new.
    reminders.sweep()
    assert Message.objects.filter(kind="window_opens").count() == 1


def test_not_sent_after_cancellation_or_opt_out(world: Any, sms: Path, tmp_path: Path) -> None:
    _window_opens_today(world.patient)
    ends = _quiet_now(world.clinic)
    reminders.sweep()
    [msg] = Message.objects.filter(kind="window_opens")
    sign_visit(world.patient, today())  # a new session: the pending window-opens is cancelled
    # Opted out of diary reminders: queue_for_patient sends nothing.
    assert (
        services.queue_for_patient(world.patient, kind="diary_nudge", key="d:1", subject="s", body="b")
        is None
    )
    marker = services.queue_message(
        clinic_id=world.clinic.pk, kind="urgent_report", key="urgent:marker", channel="sms",
        recipient_user=world.user("nurse"), address="+1 555 0100", subject="Urgent", body="Open the queue.",
    )  # fmt: skip
    move_clock_forward(ends - timezone.now() + dt.timedelta(seconds=1))
    log = tmp_path / "worker.log"
    with shared_database(tmp_path) as (url, read):
        worker = start_worker(url, FILE, sms, log)
        try:
            wait_for(lambda: read("status", marker.pk) == Status.SENT, "the staff message to be sent")
            time.sleep(1.5)  # one more sweep
        finally:
            stop(worker)
    msg.refresh_from_db()
    assert msg.status == Status.CANCELLED and not msg.attempts.exists()
    assert delivered_files(sms) == [key_filename("urgent:marker")]  # the staff message ignores quiet hours
    assert not Message.objects.filter(kind="diary_nudge").exists()


def test_a_failing_channel_is_retried_until_the_reminder_goes(world: Any, sms: Path, tmp_path: Path) -> None:
    _window_opens_today(world.patient)
    reminders.sweep()
    [msg] = Message.objects.filter(kind="window_opens")
    move_clock_forward(msg.next_attempt_at - timezone.now() + dt.timedelta(seconds=1))
    log = tmp_path / "worker.log"
    with shared_database(tmp_path) as (url, read):
        worker = start_worker(url, FLAKY, sms, log)
        try:
            wait_for(lambda: read("status", msg.pk) == Status.SENT, "the reminder to be sent")
        finally:
            stop(worker)
    msg.refresh_from_db()
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.FAILED, Outcome.FAILED, Outcome.SENT]
    assert delivered_files(sms) == [key_filename(msg.idempotency_key)]

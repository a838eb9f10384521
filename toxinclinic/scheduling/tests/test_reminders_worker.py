"""Appointment reminders through a real ``manage.py db_worker``: each sent once at its time (the worker's
clock moved forward, not slept), none after a cancellation, and a failing channel retried with back-off.

Uses the messaging room's worker harness (a file copy of the SQLite test database, or PostgreSQL's own).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.messaging.channels import key_filename
from toxinclinic.messaging.models import Message, Outcome, Status
from toxinclinic.messaging.tests.test_worker_process import ROOT, shared_database, stop, wait_for
from toxinclinic.scheduling import booking, reminders
from toxinclinic.scheduling.models import AppointmentKind
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(db_url: str, directory: Path, log: Path, *, shift: dt.timedelta, fail: int) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "toxinclinic.scheduling.tests.worker_settings",
        "TC_TEST_DIR": str(directory),
        "TC_FAIL_TIMES": str(fail),
        "TC_CLOCK_SHIFT_SECONDS": str(shift.total_seconds()),
    }
    cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1",
           "--no-reload", "--no-startup-delay", "-v", "2"]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def test_reminders_sent_once_at_their_time_not_after_cancel_and_retried(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    directory = tmp_path / "mail"
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "email": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(directory)},
        }
    }
    open_clinic(world)
    day = next_weekday(10)
    coordinator, clinician = world.user("coordinator"), world.user("clinician")
    kept = booking.book(world.patient, actor=coordinator, clinician=clinician, kind=AppointmentKind.FOLLOW_UP,
                        starts_at=at(world, day, 9))  # fmt: skip
    dropped = booking.book(world.patient2, actor=coordinator, clinician=clinician,
                           kind=AppointmentKind.FOLLOW_UP, starts_at=at(world, day, 10))  # fmt: skip
    booking.cancel(dropped, actor=coordinator, reason="Patient moved away")
    week_key, day_key = reminders.reminder_key(kept, 7), reminders.reminder_key(kept, 1)
    week, day_before = (
        Message.objects.get(idempotency_key=week_key),
        Message.objects.get(idempotency_key=day_key),
    )
    log = tmp_path / "worker.log"
    # The clock just past the 7-day reminder's time: that one is due, the 1-day one is not.
    first_shift = kept.starts_at - dt.timedelta(days=7) - timezone.now() + dt.timedelta(minutes=5)
    with shared_database(tmp_path) as (url, read):
        worker = start_worker(url, directory, log, shift=first_shift, fail=2)
        try:
            wait_for(lambda: read("status", week.pk) == Status.SENT, "the 7-day reminder to be sent")
        finally:
            stop(worker)
        assert read("status", day_before.pk) == Status.QUEUED, log.read_text()[-2000:]
        # Later: past the 1-day reminder's time too. The 7-day one must not go again.
        second_shift = kept.starts_at - dt.timedelta(days=1) - timezone.now() + dt.timedelta(minutes=5)
        worker = start_worker(url, directory, log, shift=second_shift, fail=0)
        try:
            wait_for(lambda: read("status", day_before.pk) == Status.SENT, "the 1-day reminder to be sent")
        finally:
            stop(worker)
    week.refresh_from_db()
    assert week.attempt_count == 3, log.read_text()[-2000:]
    assert [a.outcome for a in week.attempts.order_by("number")] == [
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.SENT,
    ]
    files = sorted(p.name for p in directory.glob("*.txt"))
    assert files == sorted(
        [key_filename(week_key), key_filename(day_key)]
    )  # each once, nothing for the cancelled
    assert set(Message.objects.filter(topic=dropped.reminder_topic).values_list("status", flat=True)) == {
        Status.CANCELLED
    }

"""The check-in reminder runs in a real ``db_worker`` and says nothing clinical."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from toxinclinic.safety.models import CheckIn
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_sends_the_due_reminder_once(world: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Due at midnight, so the test does not depend on the hour it runs at (at 9:00 it was still waiting).
    settings.TOXINCLINIC_CHECKIN_REMINDER_HOUR = 0
    sign_visit(world.patient, days_ago(3))  # day-3 check-in due today; day-14 is queued for later
    assert DBTaskResult.objects.count() == 2
    call_command("db_worker", batch=True, queue_name="*", verbosity=0)
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == [world.patient.email]
    ci = CheckIn.objects.get(day_offset=3)
    assert f"/safety/check-ins/{ci.public_id}/" in msg.body
    for word in ("botox", "migraine", "155", "Lovelace"):
        assert word.lower() not in msg.body.lower()
    assert ci.reminded_at is not None
    # It went through the outbox: one message, sent once, shown with its attempt.
    from toxinclinic.messaging.models import Message

    [out] = Message.objects.filter(kind="check_in_reminder")
    assert out.status == "sent" and out.recipient_patient == world.patient and out.attempts.count() == 1
    assert out.idempotency_key == f"check-in-reminder:{ci.public_id}"
    assert CheckIn.objects.get(day_offset=14).reminded_at is None  # not due yet: still waiting in the queue

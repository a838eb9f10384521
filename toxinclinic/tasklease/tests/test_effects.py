"""Side effects done once: the check-in reminder and the invitation, re-run by the worker after a failure."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from toxinclinic.diary.tests.helpers import days_ago, sign_visit
from toxinclinic.safety.models import CheckIn
from toxinclinic.safety.tasks import send_check_in_reminder
from toxinclinic.tasklease.models import Effect
from toxinclinic.tasklease.tests.probe_tasks import DropsTheLineAfterSending

pytestmark = pytest.mark.django_db(transaction=True)


def _work() -> None:
    call_command(
        "db_worker", batch=True, queue_name="*", verbosity=0, retry_base_seconds=0, no_startup_delay=True
    )


def test_a_reminder_whose_send_failed_midway_is_retried_with_the_same_message_id(
    world: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "toxinclinic.tasklease.tests.probe_tasks.DropsTheLineAfterSending"
    DropsTheLineAfterSending.calls = 0
    sign_visit(world.patient, days_ago(3))
    ci = CheckIn.objects.get(day_offset=3)
    # Queued for now: the signing queued it for the due day's morning, which may still be ahead.
    DBTaskResult.objects.all().delete()
    send_check_in_reminder.enqueue(ci.pk)
    _work()
    # The first send reached the server but the task saw an error: retried (transient), sent again.
    assert len(mail.outbox) == 2
    first, second = (m.extra_headers["Message-ID"] for m in mail.outbox)
    assert first == second and first.startswith("<") and str(ci.public_id) not in first
    ci.refresh_from_db()
    assert ci.reminded_at is not None
    effect = Effect.objects.get(key=f"safety.check-in-reminder:{ci.public_id}")
    assert effect.attempts == 2 and effect.done_at is not None
    # Queued again (a second sweep, a re-run): nothing more is sent.
    send_check_in_reminder.enqueue(ci.pk)
    _work()
    assert len(mail.outbox) == 2
    assert (
        DBTaskResult.objects.filter(task_path__endswith="send_check_in_reminder", status="FAILED").count()
        == 0
    )


def test_the_invitation_is_sent_once_per_link(world: Any, settings: Any) -> None:
    from toxinclinic.accounts.tasks import send_invitation_email

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = world.patient.user
    user.email = "ada@example.net"
    user.save(update_fields=["email"])
    send_invitation_email.enqueue(user.pk, "https://clinic.example/set/abc")
    send_invitation_email.enqueue(user.pk, "https://clinic.example/set/abc")
    _work()
    assert len(mail.outbox) == 1
    send_invitation_email.enqueue(user.pk, "https://clinic.example/set/new-link")
    _work()
    assert len(mail.outbox) == 2
    assert "abc" not in "".join(Effect.objects.values_list("key", flat=True))

"""Side effects done once: the invitation e-mail, re-run by the worker after a failure.

(The check-in reminder goes through the messaging outbox, which sends each message once: messaging/tests.)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from toxinclinic.tasklease.models import Effect

pytestmark = pytest.mark.django_db(transaction=True)


def _work() -> None:
    call_command(
        "db_worker", batch=True, queue_name="*", verbosity=0, retry_base_seconds=0, no_startup_delay=True
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

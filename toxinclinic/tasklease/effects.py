"""Side effects done once per idempotency key: record the attempt, act, mark it done.

A task re-run after its worker was killed finds the earlier attempt. What it cannot know is whether the
killed run got as far as the mail server, so the key also travels with the effect: an e-mail is sent with a
Message-ID made from the key, and a repeat is the same message to the receiving side (mail systems collapse
duplicates by Message-ID) rather than a second reminder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from toxinclinic.tasklease.models import Effect
from toxinclinic.tasklease.policy import current_attempt

ALREADY_DONE = "already done"
IN_PROGRESS = "in progress in another task"


def once(key: str, action: Callable[[str], str]) -> str:
    """Run ``action(key)`` unless the effect ``key`` is done or held by another queued/running task.

    Returns the action's result, or ``ALREADY_DONE`` / ``IN_PROGRESS``. An exception from the action leaves
    the attempt recorded and not done, so the task's retry tries again.
    """
    attempt = current_attempt()
    task_id = attempt.task_id if attempt else ""
    with transaction.atomic():
        effect, _ = Effect.objects.select_for_update().get_or_create(key=key)
        if effect.done_at is not None:
            return ALREADY_DONE
        holder = effect.task_id
        if holder and holder != task_id and _task_alive(holder):
            return IN_PROGRESS
        Effect.objects.filter(pk=effect.pk).update(
            task_id=task_id, attempts=F("attempts") + 1, last_attempt_at=timezone.now()
        )
    result = action(key)
    Effect.objects.filter(pk=effect.pk).update(done_at=timezone.now(), result=str(result)[:200])
    return result


def _task_alive(task_id: str) -> bool:
    return DBTaskResult.objects.filter(
        pk=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def message_id(key: str) -> str:
    """A stable RFC 5322 Message-ID for the effect ``key`` (a hash: the key itself may name a record)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"

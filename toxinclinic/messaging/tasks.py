"""Work the outbox in ``manage.py db_worker``: deliver one message, and the periodic sweep."""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.utils import timezone
from django_tasks import task

from toxinclinic.messaging import services


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@task()
def deliver_message(message_id: int) -> str:
    """Send one queued message once (see ``services.deliver``)."""
    return services.deliver(message_id, worker=_worker())


@task()
def deliver_due() -> dict[str, int]:
    """Send every due message in batches (see ``services.deliver_due``): the task ``queue_message`` uses."""
    return services.deliver_due(worker=_worker())


@task()
def sweep_task(scheduled_for: str) -> dict[str, int | bool]:
    """Every ``TOXINCLINIC_MESSAGING_SWEEP_SECONDS``: schedule the next sweep first (so a worker killed
    here leaves the chain alive), then redeliver what a dead worker left and take due escalation steps."""
    kept = services.continue_ticking(scheduled_for)
    return {"chain_kept": kept, **services.sweep(worker=_worker()), "pruned": _prune_own_results()}


def _prune_own_results() -> int:
    """A sweep every half minute would leave thousands of finished task rows a day: keep the last day's."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=1)
    return DBTaskResult.objects.filter(
        task_path=sweep_task.module_path, status="SUCCESSFUL", finished_at__lt=cutoff
    ).delete()[0]

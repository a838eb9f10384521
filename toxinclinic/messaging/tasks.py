"""Work the outbox in ``manage.py db_worker``: deliver one message, and the periodic sweep."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from toxinclinic.messaging import services


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@task()
def deliver_message(message_id: int) -> str:
    """Send one queued message once (see ``services.deliver``)."""
    return services.deliver(message_id, worker=_worker())


@task()
def sweep_task(scheduled_for: str) -> dict[str, int | bool]:
    """Every ``TOXINCLINIC_MESSAGING_SWEEP_SECONDS``: schedule the next sweep first (so a worker killed
    here leaves the chain alive), then redeliver what a dead worker left and take due escalation steps."""
    kept = services.continue_ticking(scheduled_for)
    return {"chain_kept": kept, **services.sweep(worker=_worker())}

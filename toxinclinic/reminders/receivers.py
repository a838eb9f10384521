"""A signed session cancels the previous "you can book your next visit"; any task keeps the sweep alive."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError

from toxinclinic.reminders import services

log = logging.getLogger(__name__)


def on_session_recorded(sender: Any, *, session: Any, created: bool, **kwargs: Any) -> None:
    """Inside the recording transaction: a pending "you can book" about an earlier session is cancelled
    with it (the new one is queued by the sweep on the day its window opens)."""
    services.cancel_superseded(session)


def on_task_started(sender: Any, *, task_result: Any = None, **kwargs: Any) -> None:
    """When the outbox's own tasks run (its sweep every half minute in a live worker), make sure the
    reminder sweep's chain is alive too. Other apps' tasks are left alone. Best effort by design: it is
    checked again at the next outbox task, and a failure here must not fail the task being started."""
    path = getattr(getattr(task_result, "task", None), "module_path", "")
    if not path.startswith("toxinclinic.messaging."):
        return
    try:
        services.ensure_ticking()
    except DatabaseError as exc:
        log.warning("Reminder sweep chain not checked this time: %s", exc)

"""Periodic work on the task worker: one chain of deferred tasks per name, kept alive by a ``Ticker`` row.

Each run first schedules its successor (``continue_ticking``); ``ensure_ticking`` starts a chain, or revives
one whose row shows no run for three intervals (every worker stopped for a while). Two chains never run
side by side: a run whose ``scheduled_for`` no longer matches the row belongs to a replaced chain and stops.
The messaging sweep, the reminders sweep and scheduling's visit-draft opener each use one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.messaging.models import Ticker


def ensure_ticking(
    name: str,
    task: Any,
    interval: dt.timedelta,
    *,
    first_in: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Start ``task``'s chain (its first run ``first_in`` from now, default one ``interval``) unless alive."""
    if not task.get_backend().supports_defer:
        return
    now = now or timezone.now()
    if Ticker.objects.filter(name=name, next_run_at__gte=now - 3 * interval).exists():
        return  # the chain is alive (the common case: one read, no write)
    nxt = now + (interval if first_in is None else first_in)
    with transaction.atomic():
        ticker, created = Ticker.objects.get_or_create(name=name, defaults={"next_run_at": nxt})
        if not created:
            created = bool(
                Ticker.objects.filter(pk=ticker.pk, next_run_at__lt=now - 3 * interval).update(
                    next_run_at=nxt
                )
            )
        if created:
            task.using(run_after=nxt).enqueue(nxt.isoformat())


def continue_ticking(name: str, task: Any, interval: dt.timedelta, scheduled_for: str) -> bool:
    """A run's first step: schedule its successor, unless a newer chain replaced this one (then False)."""
    nxt = timezone.now() + interval
    with transaction.atomic():
        kept = Ticker.objects.filter(name=name, next_run_at=dt.datetime.fromisoformat(scheduled_for)).update(
            next_run_at=nxt
        )
        if kept:
            task.using(run_after=nxt).enqueue(nxt.isoformat())
    return bool(kept)

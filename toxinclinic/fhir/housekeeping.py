"""Expired Bulk Data exports removed on a schedule, not only when a client next polls or kicks off.

A chain of deferred tasks on the leased worker, kept alive by one ``messaging.models.Ticker`` row (as the
messaging sweep and scheduling's draft opener do): each run first schedules its successor, then runs
``export.purge_expired``. The chain starts with the first kick-off (``ensure_ticking``); a chain that died
(its row more than three intervals late) is replaced by the next kick-off.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from toxinclinic.messaging.models import Ticker

TICKER = "fhir.purge-exports"


def interval() -> dt.timedelta:
    """Time between purges (seconds setting; default 10 minutes, against the exports' 1 hour expiry)."""
    return dt.timedelta(seconds=float(getattr(settings, "TOXINCLINIC_FHIR_PURGE_SECONDS", 600)))


def ensure_ticking(now: dt.datetime | None = None) -> bool:
    """Start the chain unless one is alive; True when this call started it."""
    from toxinclinic.fhir.tasks import purge_expired_exports

    if not purge_expired_exports.get_backend().supports_defer:
        return False
    now = now or timezone.now()
    if Ticker.objects.filter(name=TICKER, next_run_at__gte=now - 3 * interval()).exists():
        return False
    nxt = now + interval()
    with transaction.atomic():
        ticker, created = Ticker.objects.get_or_create(name=TICKER, defaults={"next_run_at": nxt})
        if not created:
            created = bool(
                Ticker.objects.filter(pk=ticker.pk, next_run_at__lt=now - 3 * interval()).update(
                    next_run_at=nxt
                )
            )
        if created:
            purge_expired_exports.using(run_after=nxt).enqueue(nxt.isoformat())
    return created


def continue_ticking(scheduled_for: str) -> bool:
    """First thing a run does: schedule its successor, unless a newer chain replaced this one."""
    from toxinclinic.fhir.tasks import purge_expired_exports

    nxt = timezone.now() + interval()
    with transaction.atomic():
        kept = Ticker.objects.filter(
            name=TICKER, next_run_at=dt.datetime.fromisoformat(scheduled_for)
        ).update(next_run_at=nxt)
        if kept:
            purge_expired_exports.using(run_after=nxt).enqueue(nxt.isoformat())
    return bool(kept)

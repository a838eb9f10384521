"""Background work: bring a clinic's medication-overuse flags up to date after the judged months move on."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from toxinclinic.diary import services

CHUNK = 500


@task()
def refresh_moh_flags(clinic_id: int) -> str:
    """Re-judge every stale verdict of the clinic (see ``services.refresh_stale_moh``), in chunks.

    Idempotent: only verdicts still stale are re-judged, so a re-run after a killed worker (the lease
    re-queues it) redoes at most the chunk that was in flight, with the same result.
    """
    total = 0
    while True:
        done = services.refresh_stale_moh(clinic_id, limit=CHUNK)
        total += done
        if done < CHUNK:
            cache.delete(f"diary:moh-refresh:{clinic_id}")  # the home screen may queue the next one
            return f"refreshed {total}"

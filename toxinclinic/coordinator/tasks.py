"""Background work: recompute a clinic's worklist rows (the 30-day diary figures move with the calendar)."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from toxinclinic.coordinator import rows


@task()
def refresh_clinic(clinic_id: int) -> str:
    """Idempotent: every row is recomputed from the rooms below; a re-run gives the same rows."""
    n = rows.refresh(clinic_id)
    cache.delete(f"coordinator:refresh:{clinic_id}")
    return f"refreshed {n}"


def queue_refresh(clinic_id: int) -> None:
    """Queue one clinic refresh at a time (a cache flag marks one in flight for an hour at most)."""
    if cache.add(f"coordinator:refresh:{clinic_id}", 1, timeout=3600):
        refresh_clinic.enqueue(clinic_id)

"""Background work: recompute a clinic's worklist rows (the 30-day diary figures move with the calendar).

``nightly_refresh`` is a periodic chain (``messaging.periodic``) that refreshes every clinic's rows every
``REFRESH_EVERY``, so a coordinator opening the worklist in the morning sees today's figures; the worklist
screen still queues a clinic refresh when it finds rows judged on an earlier day (a worker that was down).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from toxinclinic.accounts.models import Clinic
from toxinclinic.coordinator import rows
from toxinclinic.coordinator.models import WorklistRow
from toxinclinic.messaging import periodic
from toxinclinic.patients.models import Patient

TICKER = "coordinator.refresh"
#: A diary save's row refresh waits this long, so the saves of one sitting share one refresh.
DIARY_REFRESH_DELAY = dt.timedelta(seconds=30)
#: Rows are at most this stale after midnight (the diary figures change once a day).
REFRESH_EVERY = dt.timedelta(hours=6)


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


@task()
def refresh_patient_row(clinic_id: int, patient_id: int) -> str:
    """Idempotent, like ``refresh_clinic``. The coalescing flag is cleared before the refresh reads, so a
    diary save made while it runs queues another refresh rather than being missed."""
    cache.delete(_patient_flag(patient_id))
    return f"refreshed {rows.refresh(clinic_id, [patient_id])}"


def _patient_flag(patient_id: int) -> str:
    return f"coordinator:refresh-patient:{patient_id}"


def queue_patient_refresh(clinic_id: int, patient_id: int) -> None:
    """Queue one refresh of the patient's row ``DIARY_REFRESH_DELAY`` from now, unless one is already
    waiting. The flag outlives the delay by a margin only; if the worker is down, the periodic clinic
    refresh and the worklist's stale-day check still bring the row up to date."""
    if cache.add(_patient_flag(patient_id), 1, timeout=int(DIARY_REFRESH_DELAY.total_seconds()) * 20):
        later = refresh_patient_row.using(run_after=timezone.now() + DIARY_REFRESH_DELAY)
        later.enqueue(clinic_id, patient_id)


def clinics_to_refresh(today: dt.date) -> list[int]:
    """Clinics with a row judged before ``today``, or with patients and no rows yet."""
    stale = WorklistRow.objects.filter(diary_as_of__lt=today).values_list("clinic_id", flat=True)
    unrowed = Clinic.objects.filter(
        Exists(Patient.objects.filter(clinic_id=OuterRef("pk"))),
        ~Exists(WorklistRow.objects.filter(clinic_id=OuterRef("pk"))),
    ).values_list("pk", flat=True)
    return sorted(set(stale) | set(unrowed))


@task()
def nightly_refresh(scheduled_for: str) -> dict[str, int | bool]:
    """Schedule the next run first (a worker killed here leaves the chain alive), then refresh every
    clinic whose rows are not today's."""
    kept = periodic.continue_ticking(TICKER, nightly_refresh, REFRESH_EVERY, scheduled_for)
    today = timezone.localdate()
    clinics = clinics_to_refresh(today)
    written = sum(rows.refresh(cid, today=today) for cid in clinics)
    return {"chain_kept": kept, "clinics": len(clinics), "rows": written}


def ensure_ticking(now: dt.datetime | None = None) -> None:
    """Start the refresh chain if none is alive (the worklist screen and the demo call it; one read)."""
    periodic.ensure_ticking(TICKER, nightly_refresh, REFRESH_EVERY, first_in=dt.timedelta(minutes=1), now=now)

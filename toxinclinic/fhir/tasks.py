"""Background work: Bulk Data exports (run by ``manage.py db_worker``, leased: a killed run is re-queued)."""

from __future__ import annotations

from django_tasks import task

from toxinclinic.fhir import export, housekeeping
from toxinclinic.tasklease import policy


@task()
def run_export(job_id: str) -> str:
    """Write the export's NDJSON files and manifest (``export.run``; idempotent, resumes after a kill)."""
    try:
        return export.run(job_id)
    except Exception as exc:
        if not policy.is_transient(exc):  # a transient error is retried by the lease; others fail the job
            export.fail(job_id, exc)
        raise


@task()
def purge_expired_exports(scheduled_for: str = "") -> dict[str, int | bool]:
    """Remove expired exports' files. Run by the ``housekeeping`` chain (``scheduled_for`` = this run's
    slot): the successor is scheduled first, so a worker killed mid-purge leaves the chain alive."""
    kept = housekeeping.continue_ticking(scheduled_for) if scheduled_for else False
    return {"chain_kept": kept, "purged": export.purge_expired()}

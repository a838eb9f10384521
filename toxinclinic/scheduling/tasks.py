"""Scheduling's background work in ``manage.py db_worker``: open today's visit drafts, periodically."""

from __future__ import annotations

from django_tasks import task

from toxinclinic.scheduling import drafts


@task()
def open_drafts_task(scheduled_for: str) -> dict[str, int | bool]:
    """Schedule the next run first (a worker killed here leaves the chain alive), then open drafts."""
    kept = drafts.continue_ticking(scheduled_for)
    return {"chain_kept": kept, "opened": drafts.open_due_drafts()}

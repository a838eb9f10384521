"""The reminder sweep, run by ``manage.py db_worker`` every ``TOXINCLINIC_REMINDERS_SWEEP_SECONDS``."""

from __future__ import annotations

from django_tasks import task

from toxinclinic.reminders import services


@task()
def reminder_sweep(scheduled_for: str) -> dict[str, int | bool]:
    """Schedule the next sweep first (a worker killed here leaves the chain alive), then queue what is
    due today: windows that open, diary gaps, questionnaires due."""
    kept = services.continue_ticking(scheduled_for)
    return {"chain_kept": kept, **services.sweep()}

"""The no-op task bench_task_lease queues (a module of its own: ``@task`` needs Django's settings)."""

from __future__ import annotations

from django_tasks import task


@task()
def noop(i: int) -> int:
    """Does nothing, so only the queue's own work is timed."""
    return i

"""What the task lease costs: tasks per second through one worker, leased vs django-tasks-db's own worker.

Both drain the same number of no-op tasks from the same SQLite file in one ``--batch`` run, so the figure is
the queue's own overhead per task (claim, bookkeeping, finish), the part the lease adds to: per task one
lease upsert, one fenced release and a heartbeat thread started and stopped. Real tasks (a PDF: ~1 s,
a narration: seconds) dwarf it.
"""

from __future__ import annotations

import time

from benchmarks.common import BenchResult
from benchmarks.django_env import ensure_django

NOTES = """
The leased worker (`toxinclinic/tasklease`) does, per task, what django-tasks-db's worker does plus a lease
row written with the claim, a conditional release with the outcome and a heartbeat thread (which writes
only every third of the lease, so never for these no-op tasks). Both workers run in-process on the
benchmarks' SQLite file with `--batch --interval 0` and connections kept open (`DB_CONN_MAX_AGE=60`, as
`make demo` and production run); the figure is drained tasks per second.
"""


def _drain(n: int, command: object) -> float:
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from benchmarks.lease_noop import noop

    DBTaskResult.objects.all().delete()
    for i in range(n):
        noop.enqueue(i)
    # Connections kept between tasks, as demo.sh and production run (DB_CONN_MAX_AGE=60): on SQLite closing
    # the last connection checkpoints the WAL, which would time the disk instead of the queue.
    before = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        t0 = time.perf_counter()
        call_command(command, batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
        seconds = time.perf_counter() - t0
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = before
    done = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
    if done != n:
        raise RuntimeError(f"only {done} of {n} tasks finished")
    return n / seconds


def run(quick: bool) -> list[BenchResult]:
    ensure_django()
    from django_tasks_db.management.commands.db_worker import Command as Upstream

    from toxinclinic.tasklease.management.commands.db_worker import Command as Leased

    n = 50 if quick else 300
    rounds = 1 if quick else 3
    upstream, leased = [], []
    for _ in range(rounds):  # interleaved, so drift on a shared machine hits both alike
        upstream.append(_drain(n, Upstream()))
        leased.append(_drain(n, Leased()))
    upstream.sort()
    leased.sort()
    return [
        BenchResult(
            name=f"one worker drains {n} no-op tasks, leased (SQLite)",
            figure=leased[len(leased) // 2],
            unit="tasks/s",
            baseline_name="django-tasks-db's worker, no lease",
            baseline=upstream[len(upstream) // 2],
            higher_is_better=True,
            note=f"median of {rounds}",
        )
    ]

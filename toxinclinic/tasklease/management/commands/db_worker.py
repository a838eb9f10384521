"""``manage.py db_worker``: django-tasks-db's worker command, run by the leased worker (see worker.py).

Same options as django-tasks-db 0.13's, plus the lease's; this app comes before ``django_tasks_db`` in
INSTALLED_APPS so this command is the one Django finds.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as upstream

from toxinclinic.tasklease import policy
from toxinclinic.tasklease.worker import LeaseWorker


class Command(upstream.Command):
    help = "Run a database background worker whose claims are leases (a killed worker's task runs again)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        limits = policy.Limits.from_settings()
        parser.add_argument(
            "--lease-seconds",
            type=upstream.valid_interval,
            default=limits.lease_seconds,
            help="How long a claim lasts unless the heartbeat renews it (default: %(default)s)",
        )
        parser.add_argument(
            "--max-failures",
            type=upstream.valid_max_tasks,
            default=limits.max_failures,
            help="Failures (transient errors, killed workers) before a task is failed (default: %(default)s)",
        )
        parser.add_argument(
            "--retry-base-seconds",
            type=upstream.valid_interval,
            default=limits.retry_base_seconds,
            help="Wait before the first retry; doubled after each failure (default: %(default)s)",
        )

    def handle(
        self,
        *,
        verbosity: int,
        reload: bool,
        batch: bool,
        queue_name: str,
        exclude_queues: str,
        lease_seconds: float,
        max_failures: int,
        retry_base_seconds: float,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise upstream.CommandError("--exclude-queues can only be used with --queue-name=*")
        base = policy.Limits.from_settings()
        worker = LeaseWorker(
            limits=policy.Limits(
                lease_seconds=max(lease_seconds, 0.5),
                max_failures=max_failures,
                retry_base_seconds=retry_base_seconds,
                retry_max_seconds=max(base.retry_max_seconds, retry_base_seconds),
            ),
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        run_startup_hooks()
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()


def run_startup_hooks() -> None:
    """Settings ``TASK_WORKER_STARTUP_HOOKS``: dotted paths of functions the worker calls once as it starts
    (an app re-queuing work a killed run of an older version left failed)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in getattr(settings, "TASK_WORKER_STARTUP_HOOKS", []):
        import_string(path)()

"""``manage.py requeue_tasks ID ...``: queue failed tasks again once their cause is fixed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from toxinclinic.tasklease.models import TaskLease


class Command(BaseCommand):
    help = "Queue failed tasks again, with their failure count reset"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", help="task ids (as the failed task's advice names them)")
        parser.add_argument("--all-failed", action="store_true", help="every failed task")

    def handle(self, *, ids: list[str], all_failed: bool, **options: Any) -> None:
        if not ids and not all_failed:
            raise CommandError("Name the task ids to queue again, or pass --all-failed.")
        rows = DBTaskResult.objects.failed()
        if not all_failed:
            rows = rows.filter(pk__in=ids)
        with transaction.atomic():
            pks = list(rows.values_list("pk", flat=True))
            DBTaskResult.objects.filter(pk__in=pks, status=TaskResultStatus.FAILED).update(
                status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None
            )
            TaskLease.objects.filter(pk__in=pks).update(failures=0, advice="")
        self.stdout.write(f"Queued {len(pks)} task(s) again.")

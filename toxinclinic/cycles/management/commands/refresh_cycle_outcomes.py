"""Recompute the stored per-cycle outcomes (after loading data in bulk, or once after this table is added)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from toxinclinic.accounts.models import Clinic
from toxinclinic.cycles.models import CycleOutcome
from toxinclinic.cycles.outcomes import refresh_clinic


class Command(BaseCommand):
    help = "Recompute every clinic's stored treatment-cycle outcomes (what the outcomes report sums)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clinic", type=int, help="only this clinic (its id)")

    def handle(self, *args: Any, clinic: int | None = None, **options: Any) -> None:
        ids = [clinic] if clinic else list(Clinic.objects.order_by("id").values_list("id", flat=True))
        for cid in ids:
            n = refresh_clinic(cid)
            self.stdout.write(f"clinic {cid}: {n} cycle rows")
        if connection.vendor == "postgresql":
            # A bulk rewrite leaves the planner's statistics stale until autovacuum comes round.
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {connection.ops.quote_name(CycleOutcome._meta.db_table)}")

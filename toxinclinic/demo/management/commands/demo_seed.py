"""Load the deterministic demo clinic: ``manage.py demo_seed [--patients N] [--seed S] [--reset]``."""

from __future__ import annotations

import datetime as dt
import importlib
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from toxinclinic.accounts.models import Clinic
from toxinclinic.demo.context import DemoContext

DEMO_CLINIC = "Harbour Neurology Clinic"


class Command(BaseCommand):
    help = "Create the demo clinic, staff (one login per role) and N patients with plausible charts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients", type=int, default=200, help="patients in the demo clinic (default 200)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed; same seed, same data")
        parser.add_argument("--reset", action="store_true", help="flush the database first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the demo clinic exists")
        parser.add_argument("--today", help="pretend today is this ISO date (tests)")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console()
        if opts["patients"] < 1:
            raise CommandError("--patients must be at least 1.")
        if opts["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        if Clinic.objects.filter(name=DEMO_CLINIC).exists():
            if opts["if_empty"]:
                console.print("Demo data already loaded; keeping it (use --reset to start again).")
                _print_logins(console)
                return
            raise CommandError(
                "Demo data already exists. Use --reset to replace it or --if-empty to keep it."
            )
        today = dt.date.fromisoformat(opts["today"]) if opts["today"] else timezone.localdate()
        t0 = time.perf_counter()
        with Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            ctx = DemoContext(seed=opts["seed"], n_patients=opts["patients"], today=today, progress=progress)
            for step in demo_steps():
                with transaction.atomic():
                    step.seed(ctx)
        console.print(f"Demo data loaded in {time.perf_counter() - t0:.1f} s.")
        _print_logins(console)


def demo_steps() -> list[Any]:
    """The core step first, then each workflow app's ``demo.py`` by its ``DEMO_ORDER``."""
    from toxinclinic.core.plugins import app_modules

    core = importlib.import_module("toxinclinic.demo.core")
    return [core, *sorted(app_modules("demo"), key=lambda m: m.DEMO_ORDER)]


def _print_logins(console: Console) -> None:
    from toxinclinic.accounts.models import User
    from toxinclinic.demo.core import DEMO_PASSWORD, STAFF

    table = Table(title="Demo logins (password for all: " + DEMO_PASSWORD + ")")
    table.add_column("role")
    table.add_column("username")
    names = [s[0] for s in STAFF] + ["patient"]
    for u in User.objects.filter(username__in=names).order_by("role"):
        table.add_row(u.get_role_display() + (" (prescriber)" if u.is_prescriber else ""), u.username)
    console.print(table)

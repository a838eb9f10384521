"""Foundation: the demo generator at scale and the staff patient search on a large clinic.

- Seeding: patients/second of the demo generator's core step (patients with their charts, bulk
  inserts) against the same patients and rows saved one by one through the ORM, in the same run.
  The full ``demo_seed`` (visits, diaries, questionnaires …) is timed too and reported as a note.
- Search: server time of the staff patient list filtered by a name, on the seeded clinic,
  against the ``/healthz`` framework floor (both through Django's full middleware stack).
"""

from __future__ import annotations

import datetime
import time

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django


def run(quick: bool) -> list[BenchResult]:
    ensure_django()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from toxinclinic.accounts.models import Clinic, User
    from toxinclinic.demo import core
    from toxinclinic.demo.context import DemoContext
    from toxinclinic.demo.core import _chart_rows, _patient

    n = 2_000 if quick else 20_000
    t0 = time.perf_counter()
    call_command("demo_seed", patients=n, reset=True, verbosity=0)
    full_demo_s = time.perf_counter() - t0

    # The core step alone on an empty database (fixed costs such as staff password hashes included).
    call_command("flush", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    with transaction.atomic():
        core.seed(DemoContext(seed=2026, n_patients=n, today=datetime.date.today()))
    seed_rate = n / (time.perf_counter() - t0)

    # Baseline: the naive way, the same patients and chart rows saved one INSERT at a time.
    ctx = DemoContext(seed=1, n_patients=0, today=datetime.date.today())
    clinic = Clinic.objects.create(name="Baseline clinic", phone="0")
    rng = ctx.rng_for("baseline")
    m = n // 10
    t0 = time.perf_counter()
    with transaction.atomic():
        for i in range(m):
            p = _patient(rng, clinic, i, ctx.today, "BL")
            p.save()
            for row in _chart_rows(rng, p, ctx.today):
                row.save()
    naive_rate = m / (time.perf_counter() - t0)

    client = Client()
    client.force_login(
        User.objects.get(username="nurse"), backend="django.contrib.auth.backends.ModelBackend"
    )
    search = best_of(lambda: client.get("/patients/", {"q": "smith"}), repeat=7, number=5)
    chart_page = best_of(lambda: client.get("/home/"), repeat=7, number=5)
    floor = best_of(lambda: client.get("/healthz"), repeat=7, number=20)
    return [
        BenchResult(
            f"demo generator core step, {n:,} patients with charts (bulk)",
            seed_rate,
            "patients/s",
            "one ORM save per row, same charts",
            naive_rate,
            higher_is_better=True,
            note=f"whole demo_seed with every app's data: {full_demo_s:.1f} s",
        ),
        BenchResult(
            f"staff patient search, {n:,}-patient clinic",
            search * 1000,
            "ms",
            "/healthz floor",
            floor * 1000,
            higher_is_better=False,
            note="in-process Django client, full middleware",
        ),
        BenchResult(
            f"staff home (search box + first 20), {n:,}-patient clinic",
            chart_page * 1000,
            "ms",
            "/healthz floor",
            floor * 1000,
            higher_is_better=False,
        ),
    ]

"""Treatment-cycle costs: the clinic outcomes report and one patient's timeline.

1. The clinic's outcomes report (``cycles.report.build``): the stored per-cycle rows (one per session,
   written when a session, a month's counts or a questionnaire changes) summed by ``GROUP BY`` in the
   database, the engine's statistics read off the histograms. Baseline: the headache-day figures
   recomputed from the diary days in the same run (every day read, months summarised by the engine,
   cycles assigned in Python). Also timed: the previous path (``outcomes_previous``: cycles by a window
   over stored months, per patient-cycle Python), which must give the identical report.
2. One patient's cycle timeline through the API (clinician, audited read). Baseline: ``/healthz``.
3. What a write now also pays: recomputing the busiest patient's stored cycle rows (what each recorded
   session, stored month or answered questionnaire triggers). Baseline: ``/healthz``.

The population comes from :func:`build_population` (the demo generator at a given size). Helper c2's
``benchmarks/network.py`` (``build_network(patients=20000, years=2)``) is the intended population for the
full run on PostgreSQL; until it is on main this file builds its own. ``BENCH_OUTCOMES_DATABASE_URL``
points the run at another database (e.g. PostgreSQL); by default it uses the shared benchmark SQLite.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections import defaultdict
from contextlib import redirect_stdout
from typing import Any

from benchmarks.common import BenchResult, best_of

NOTES = """
The outcomes report sums the stored per-cycle rows (one per signed session) with GROUP BY in the
database; the baseline recomputes the headache-day figures from every diary day. The previous path
(window over stored months, then Python per patient and cycle) is timed too and must agree exactly.
Population: the demo generator (`build_population`) until `benchmarks/network.py` (20,000 patients,
2 years) is on main.
"""


def _django() -> None:
    url = os.environ.get("BENCH_OUTCOMES_DATABASE_URL")
    if not url:
        from benchmarks.django_env import ensure_django

        ensure_django()
        return
    os.environ.setdefault("TOXINCLINIC_DEV", "1")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toxinclinic.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build_population(patients: int = 200, years: int = 2, *, seed: int = 17) -> None:
    """A clinic of ``patients`` with sessions, diaries and questionnaires (``years`` is accepted for the
    same signature as ``network.build_network``; the demo generator keeps its own history length)."""
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("demo_seed", patients=patients, seed=seed, reset=True, verbosity=0)


def recompute_from_days(clinic_id: int, indication: str = "chronic_migraine") -> dict[int, list[Any]]:
    """Headache-day changes (``CycleChange``: change and percent reduction) per cycle, from diary days
    (the baseline the stored months and cycle rows replace)."""
    from toxinclinic.clinical import cycles as engine
    from toxinclinic.clinical import diary
    from toxinclinic.clinical import outcomes_stats as stats
    from toxinclinic.diary import conf
    from toxinclinic.diary.models import DiaryEntry
    from toxinclinic.diary.months import to_engine_day
    from toxinclinic.diary.validation import DAY_FIELDS
    from toxinclinic.patients.models import Patient
    from toxinclinic.treatment.models import TreatmentSession

    sessions: dict[int, list[dt.date]] = defaultdict(list)
    for p, d in TreatmentSession.objects.filter(clinic_id=clinic_id, indication=indication).values_list(
        "patient_id", "injected_on"
    ):
        sessions[p].append(d)
    enrolled = dict(Patient.objects.filter(pk__in=list(sessions)).values_list("pk", "enrolled_on"))
    days: dict[tuple[int, dt.date], list[Any]] = defaultdict(list)
    for row in DiaryEntry.objects.filter(patient_id__in=list(sessions)).values("patient_id", *DAY_FIELDS):
        days[(row["patient_id"], diary.month_start(row["date"]))].append(to_engine_day(row))
    months: dict[int, list[engine.MonthCounts]] = defaultdict(list)
    threshold = conf.headache_threshold_hours()
    for (p, m), ds in days.items():
        start = max(m, enrolled[p])
        s = diary.summarize(ds, start, diary.month_end(m), headache_threshold_hours=threshold)
        months[p].append(
            engine.MonthCounts(
                m, s.days_in_period, s.days_recorded, s.headache_days, s.migraine_days, s.sufficient
            )
        )
    out: dict[int, list[Any]] = defaultdict(list)
    for p, dates in sessions.items():
        dates.sort()
        by = engine.counts_by_cycle(months.get(p, []), dates)
        base = by.get(0)
        if base is None or base.headache_per_30 is None:
            continue
        b = base.headache_per_30
        for n in range(1, len(dates) + 1):
            c = by.get(n)
            if c is not None and c.headache_per_30 is not None:
                a = c.headache_per_30
                out[n].append(stats.CycleChange(round(a - b, 1), engine.reduction_pct(b, a)))
    for n, ch in out.items():
        stats.summarize("headache_days", n, ch)
    return out


def _population(patients: int) -> None:
    """Build the population unless ``BENCH_OUTCOMES_KEEP=1`` and it is already there (a large run reuses
    what an earlier run built)."""
    from toxinclinic.treatment.models import TreatmentSession

    if os.environ.get("BENCH_OUTCOMES_KEEP") == "1" and TreatmentSession.objects.exists():
        return
    build_population(patients)


def run(quick: bool) -> list[BenchResult]:
    _django()
    patients = 60 if quick else int(os.environ.get("BENCH_OUTCOMES_PATIENTS", "2000"))
    _population(patients)
    from django.db.models import Count
    from django.test import Client

    from benchmarks import outcomes_previous
    from toxinclinic.accounts.models import User
    from toxinclinic.clinical import outcomes_stats as stats
    from toxinclinic.cycles import report
    from toxinclinic.cycles.models import CycleOutcome
    from toxinclinic.cycles.outcomes import refresh_patient
    from toxinclinic.treatment.models import TreatmentSession

    clinician = User.objects.get(username="clinician")
    clinic_id = clinician.clinic_id
    f = report.Filters(clinic_id)
    repeat = 3 if quick else 5
    built = best_of(lambda: report.build(f), repeat)
    previous = best_of(lambda: outcomes_previous.build(f), 1 if quick else 3)
    from_days = best_of(lambda: recompute_from_days(clinic_id), 1 if quick else 3)
    # Checks, not only timings: the stored rows give the previous path's report exactly, for both
    # indications and a filtered view; the headache rows equal the figures recomputed from diary days.
    rep = report.build(f)
    for g in (
        f,
        report.Filters(clinic_id, indication="cervical_dystonia"),
        report.Filters(clinic_id, product="botox"),
    ):
        assert report.build(g) == outcomes_previous.build(g), g
    direct = recompute_from_days(clinic_id)
    for row in rep.rows_for("headache_days"):
        assert row.summary == stats.summarize("headache_days", row.cycle, direct[row.cycle]), row.cycle

    client = Client()
    client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    busiest = (
        TreatmentSession.objects.filter(clinic_id=clinic_id)
        .values("patient_id", "patient__public_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    pid = busiest["patient__public_id"] if busiest else None
    number = 5 if quick else 20
    timeline = best_of(lambda: client.get(f"/api/v1/cycles/patients/{pid}"), repeat, number)
    healthz = best_of(lambda: client.get("/healthz"), repeat, number)
    refresh = best_of(lambda: refresh_patient(busiest["patient_id"]), repeat, number)
    sessions = TreatmentSession.objects.filter(clinic_id=clinic_id).count()
    rows = CycleOutcome.objects.filter(clinic_id=clinic_id).count()
    from django.db import connection

    where = connection.vendor
    return [
        BenchResult(
            f"outcomes report, {where} ({patients} patients, {sessions} sessions, {rows} cycle rows)",
            built * 1000,
            "ms",
            "recomputed from diary days",
            from_days * 1000,
            False,
        ),
        BenchResult(
            f"outcomes report, {where}",
            built * 1000,
            "ms",
            "previous path (window over stored months, Python per patient-cycle)",
            previous * 1000,
            False,
        ),
        BenchResult(
            "one patient's cycle timeline (API)", timeline * 1000, "ms", "/healthz", healthz * 1000, False
        ),
        BenchResult(
            "one patient's stored cycle rows recomputed (each write)",
            refresh * 1000,
            "ms",
            "/healthz",
            healthz * 1000,
            False,
        ),
    ]

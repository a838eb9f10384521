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
import time
from collections import defaultdict
from contextlib import redirect_stdout
from typing import Any

from benchmarks.common import BenchResult, best_of

NOTES = """
The outcomes report sums the stored per-cycle rows (one per signed session) with GROUP BY in the
database; the baseline recomputes the headache-day figures from every diary day. The previous path
(window over stored months, then Python per patient and cycle) is timed too and must agree exactly.
Population: the demo generator (`build_population`); `BENCH_OUTCOMES_NETWORK=20000` adds 20,000
patients' stored facts (`build_stored_network`: sessions, months, questionnaires, no diary days, so the
diary-day baseline is left out there). Measured 2 Dec 2026 on PostgreSQL, load average 4–5: 20,000 patients,
145,168 sessions, 480,000 months: report 258 ms, previous path 5,037 ms in the same run (8.6–9.7 s in
earlier runs at load 5–7); backfill of 145,320 cycle rows 29–49 s. Until `benchmarks/network.py` is on main.
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


def build_stored_network(clinic_id: int, patients: int, years: int = 2, *, seed: int = 17) -> dict[str, int]:
    """Add ``patients`` to the clinic with their stored facts only — signed sessions every 12–16 weeks,
    one stored month per calendar month (``month_fields`` of the engine's summary, as the diary stores
    them) and HIT-6/MIDAS or TWSTRS totals around each session — in bulk, then the stored cycle rows by
    the backfill (``cycles.outcomes.refresh_clinic``). No diary days: the report never reads them."""
    import random
    import uuid

    from django.utils import timezone

    from toxinclinic.clinical import diary
    from toxinclinic.cycles.outcomes import refresh_clinic
    from toxinclinic.diary import conf
    from toxinclinic.diary.models import DiaryMonth
    from toxinclinic.diary.months import month_fields
    from toxinclinic.outcomes.models import QuestionnaireResponse
    from toxinclinic.patients.models import Patient
    from toxinclinic.treatment.models import TreatmentSession

    rng = random.Random(seed)
    today = timezone.localdate()
    start = diary.shift_month(diary.month_start(today), -12 * years)
    threshold = conf.headache_threshold_hours()
    zero = dict.fromkeys(diary.COUNT_FIELDS[3:], 0)
    made = dict.fromkeys(("patients", "sessions", "months", "responses", "cycle_rows"), 0)
    for lo in range(0, patients, 1000):
        ps = Patient.objects.bulk_create(
            Patient(
                clinic_id=clinic_id,
                mrn=f"NET{seed}-{i:06d}",
                first_name="Net",
                last_name=f"P{i}",
                date_of_birth=dt.date(1980, 1, 1),
                enrolled_on=start,
            )
            for i in range(lo, min(patients, lo + 1000))
        )
        sessions, months, responses = [], [], []
        for p in ps:
            migraine = rng.random() < 0.85
            ind = "chronic_migraine" if migraine else "cervical_dystonia"
            base = rng.randint(12, 26)
            on = start + dt.timedelta(days=rng.randint(45, 75))
            dates = []
            while on <= today:
                dates.append(on)
                on += dt.timedelta(days=rng.randint(84, 112))
            for d in dates:
                sessions.append(
                    TreatmentSession(
                        patient_id=p.pk,
                        clinic_id=clinic_id,
                        visit_id=uuid.uuid4(),
                        injected_on=d,
                        product="botox" if rng.random() < 0.8 else "dysport",
                        indication=ind,
                        total_units=155,
                        sites=[],
                    )
                )
            first = dates[0] if dates else today
            m = start
            while m < diary.month_start(today):
                end = diary.month_end(m)
                n = sum(1 for d in dates if d <= m.replace(day=15))
                rec = rng.randint(16, end.day)
                rate = base * max(0.3, 1 - 0.12 * n + rng.uniform(-0.1, 0.1)) if n else base
                hd = min(rec, round(rate * rec / 30))
                s = diary.period_summary(
                    m,
                    end,
                    days_recorded=rec,
                    headache_days=hd,
                    migraine_days=hd * 2 // 3,
                    medication_days_by_class={},
                    **zero,
                )
                months.append(
                    DiaryMonth(patient_id=p.pk, clinic_id=clinic_id, month=m, **month_fields(s, threshold))
                )
                m = diary.shift_month(m, 1)
            keys = ("hit6", "midas") if migraine else ("twstrs",)
            for k in keys:
                top = {"hit6": 66, "midas": 60, "twstrs": 40}[k]
                for i, d in enumerate(
                    [first - dt.timedelta(days=5), *(x + dt.timedelta(days=60) for x in dates)]
                ):
                    if d <= today:
                        responses.append(
                            QuestionnaireResponse(
                                patient_id=p.pk,
                                clinic_id=clinic_id,
                                instrument=k,
                                answers={},
                                total=max(0, top - 2 * i + rng.randint(-3, 3)),
                                timepoint="other",
                                completed_on=d,
                            )
                        )
        TreatmentSession.objects.bulk_create(sessions, batch_size=2000)
        DiaryMonth.objects.bulk_create(months, batch_size=2000)
        QuestionnaireResponse.objects.bulk_create(responses, batch_size=2000)
        made["patients"] += len(ps)
        made["sessions"] += len(sessions)
        made["months"] += len(months)
        made["responses"] += len(responses)
    made["cycle_rows"] = refresh_clinic(clinic_id)
    return made


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
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from benchmarks import outcomes_previous
    from toxinclinic.accounts.models import User
    from toxinclinic.clinical import outcomes_stats as stats
    from toxinclinic.cycles import report
    from toxinclinic.cycles.models import CycleOutcome
    from toxinclinic.cycles.outcomes import refresh_clinic, refresh_patient
    from toxinclinic.patients.models import Patient
    from toxinclinic.treatment.models import TreatmentSession

    clinician = User.objects.get(username="clinician")
    clinic_id = clinician.clinic_id
    # BENCH_OUTCOMES_NETWORK=20000: add that many patients' stored facts (no diary days) to the demo
    # clinic; the diary-day baseline then covers only the demo's patients and is left out.
    network = 0 if quick else int(os.environ.get("BENCH_OUTCOMES_NETWORK", "0"))
    if network and not Patient.objects.filter(mrn__startswith="NET").exists():
        t0 = time.perf_counter()
        made = build_stored_network(clinic_id, network)
        print(f"network built in {time.perf_counter() - t0:.0f} s: {made}")
    if network:
        t0 = time.perf_counter()
        print(f"backfill {refresh_clinic(clinic_id)} cycle rows in {time.perf_counter() - t0:.1f} s")
        if connection.vendor == "postgresql":  # what autovacuum does after a bulk load, now
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE cycles_cycleoutcome")
    f = report.Filters(clinic_id)
    repeat = 3 if quick else 5
    built = best_of(lambda: report.build(f), repeat)
    previous = best_of(lambda: outcomes_previous.build(f), 1 if quick or network else 3)
    from_days = 0.0 if network else best_of(lambda: recompute_from_days(clinic_id), 1 if quick else 3)
    # Checks, not only timings: the stored rows give the previous path's report exactly, for both
    # indications and a filtered view; the headache rows equal the figures recomputed from diary days.
    rep = report.build(f)
    views = [
        f,
        report.Filters(clinic_id, indication="cervical_dystonia"),
        report.Filters(clinic_id, product="botox"),
    ]
    for g in views[:1] if network else views:
        assert report.build(g) == outcomes_previous.build(g), g
    if not network:
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
    where = connection.vendor
    people = Patient.objects.filter(clinic_id=clinic_id).count()
    out = [
        BenchResult(
            f"outcomes report, {where} ({people} patients, {sessions} sessions, {rows} cycle rows)",
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
    return out[1:] if network else out

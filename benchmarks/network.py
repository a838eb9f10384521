"""A deterministic clinic network for benchmarks: patients with daily diaries, sessions, appointments,
authorizations and worklist rows, inserted in bulk.

    from benchmarks.network import build_network
    stats = build_network(patients=20_000, years=2, seed=15, progress=True)
    stats.clinic_id, stats.rows, stats.rows_per_second

Call it after ``django.setup()`` on an empty or existing database (it creates its own clinic, so it can run
twice). What it stores, and how it matches the app's writers:

- diary days (``DiaryEntry``) classified by the engine's bulk path (``clinical.diary.classify_bulk``), the
  same flags ``classify_day`` gives (property-tested equivalence); ``reasons`` are left empty (the per-day
  words are not needed by any clinic-wide screen);
- month counts (``DiaryMonth``) from ``clinical.diary.summarize_bulk`` over each patient-month clipped to
  enrolment, stored through ``diary.months.month_fields`` exactly as the diary's writer stores them;
- signed sessions (``TreatmentSession``) every 12 weeks or later, the recall rows (``scheduling.Recall``)
  from ``clinical.recall.recall_window`` at ``treatment.conf.recall_interval_days``;
- booked injection appointments, prior authorizations, a few urgent triage items and outreach attempts;
- the worklist rows through their one writer (``coordinator.rows.refresh``).

Diary rows go in with ``executemany`` on SQLite and ``COPY`` on PostgreSQL (about 3× faster than
``bulk_create`` for 14.6 million rows); everything else uses ``bulk_create`` in batches.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import numpy as np

BATCH = 5000
#: The engine's day flags, stored on each diary row under the same names.
DAY_FLAGS = (
    "headache_day",
    "migraine_day",
    "moderate_severe_day",
    "acute_medication_day",
    "triptan_or_ergot_day",
)


@dataclass
class NetworkStats:
    clinic_id: int
    patients: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        t = sum(self.seconds.values())
        return self.total_rows / t if t else 0.0


class _Progress:
    """A rich progress bar (or nothing when ``enabled`` is False)."""

    def __init__(self, enabled: bool) -> None:
        self.p = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.p = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
            )

    def __enter__(self) -> _Progress:
        if self.p:
            self.p.__enter__()
        return self

    def __exit__(self, *a: Any) -> None:
        if self.p:
            self.p.__exit__(*a)

    def task(self, what: str, total: int) -> Any:
        return self.p.add_task(what, total=total, rate="") if self.p else None

    def advance(self, task: Any, n: int, rows: int, t0: float) -> None:
        if self.p:
            rate = rows / max(time.perf_counter() - t0, 1e-9)
            self.p.update(task, advance=n, rate=f"{rate:,.0f} rows/s")


def _uuid_hex(rng: np.random.Generator, n: int) -> Iterator[str]:
    a = rng.integers(0, 2**63, size=n, dtype=np.int64)
    b = rng.integers(0, 2**63, size=n, dtype=np.int64)
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        yield f"{x:016x}{y:016x}"


def build_network(
    patients: int = 20_000,
    years: int = 2,
    seed: int = 15,
    progress: bool = True,
    *,
    today: dt.date | None = None,
    chunk: int = 500,
) -> NetworkStats:
    """Create one clinic with ``patients`` patients and ``years`` of daily diaries ending ``today``.

    Deterministic for a given (patients, years, seed, today). Returns row counts and seconds per table.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from toxinclinic.accounts.models import Clinic, Role, User
    from toxinclinic.clinical import diary as engine
    from toxinclinic.clinical import recall
    from toxinclinic.coordinator import rows as worklist_rows
    from toxinclinic.coordinator.models import OutreachAttempt
    from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
    from toxinclinic.diary import conf as diary_conf
    from toxinclinic.diary.demo import ENTRY_COLUMNS, check_entry_columns
    from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
    from toxinclinic.diary.months import month_fields
    from toxinclinic.diary.validation import BOOL_FIELDS
    from toxinclinic.patients.models import Patient
    from toxinclinic.safety.models import Level, SideEffectReport, TriageItem
    from toxinclinic.scheduling.models import Appointment, AppointmentKind, Recall
    from toxinclinic.treatment.conf import recall_interval_days
    from toxinclinic.treatment.models import TreatmentSession

    check_entry_columns()

    today = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    interval = recall_interval_days()
    threshold = diary_conf.headache_threshold_hours()
    n_days = 365 * years
    start = today - dt.timedelta(days=n_days - 1)
    now = timezone.now()
    stats = NetworkStats(0, patients)
    vendor = connection.vendor
    stamp = now.isoformat() if vendor == "postgresql" else now.replace(tzinfo=None).isoformat(" ")

    def timed(name: str, t0: float, n: int) -> None:
        stats.rows[name] = stats.rows.get(name, 0) + n
        stats.seconds[name] = stats.seconds.get(name, 0.0) + time.perf_counter() - t0

    with _Progress(progress) as bar:
        # Clinic, staff, patients.
        t0 = time.perf_counter()
        clinic = Clinic.objects.create(name=f"Benchmark network {seed}-{patients}")
        stats.clinic_id = clinic.pk
        pw = make_password("bench-network")
        coordinator = User.objects.create(
            username=f"bench-coord-{clinic.pk}", role=Role.COORDINATOR, clinic=clinic, password=pw
        )
        clinician = User.objects.create(
            username=f"bench-clin-{clinic.pk}",
            role=Role.CLINICIAN,
            clinic=clinic,
            password=pw,
            is_prescriber=True,
        )
        enrol_offset = rng.integers(0, 60, size=patients)
        objs = []
        for i in range(patients):
            first, last, mrn = f"Pat{i % 997}", f"Network{i:06d}", f"N{i:07d}"
            objs.append(
                Patient(
                    clinic=clinic,
                    mrn=mrn,
                    first_name=first,
                    last_name=last,
                    date_of_birth=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                    enrolled_on=start + dt.timedelta(days=int(enrol_offset[i])),
                    search_text=f"{last} {first} {mrn}".lower(),
                )
            )
        task = bar.task("patients", patients)
        for b in range(0, patients, BATCH):
            Patient.objects.bulk_create(objs[b : b + BATCH], batch_size=BATCH)
            bar.advance(task, len(objs[b : b + BATCH]), b + BATCH, t0)
        pids = list(Patient.objects.filter(clinic=clinic).order_by("mrn").values_list("id", flat=True))
        enrolled = [start + dt.timedelta(days=int(o)) for o in enrol_offset]
        timed("patients", t0, patients)

        # Sessions: first after a 3-4 month baseline, then every 12 weeks + 0-40 days; 3% never treated.
        t0 = time.perf_counter()
        sessions: list[list[dt.date]] = []
        session_objs = []
        for i, pid in enumerate(pids):
            ds: list[dt.date] = []
            if rng.random() >= 0.03:
                d = enrolled[i] + dt.timedelta(days=int(rng.integers(95, 130)))
                while d <= today:
                    ds.append(d)
                    d += dt.timedelta(days=interval + int(rng.integers(0, 41)))
            sessions.append(ds)
            for d in ds:
                session_objs.append(
                    TreatmentSession(
                        patient_id=pid,
                        clinic=clinic,
                        visit_id=f"{rng.integers(0, 2**63):016x}{rng.integers(0, 2**63):016x}",
                        injected_on=d,
                        product="botox",
                        indication="chronic_migraine",
                        total_units=155.0,
                        sites=[],
                        signed_by=clinician,
                        signed_by_label="Benchmark clinician",
                    )
                )
        task = bar.task("sessions", len(session_objs))
        for b in range(0, len(session_objs), BATCH):
            TreatmentSession.objects.bulk_create(session_objs[b : b + BATCH], batch_size=BATCH)
            bar.advance(task, len(session_objs[b : b + BATCH]), b + BATCH, t0)
        recalls = []
        for i, pid in enumerate(pids):
            if sessions[i]:
                w = recall.recall_window(sessions[i][-1], interval)
                recalls.append(
                    Recall(
                        clinic=clinic,
                        patient_id=pid,
                        indication="chronic_migraine",
                        product="botox",
                        last_session_on=sessions[i][-1],
                        opens_on=w.opens,
                        due_on=w.due,
                        last_visit_id=f"{rng.integers(0, 2**63):016x}{rng.integers(0, 2**63):016x}",
                    )
                )
        Recall.objects.bulk_create(recalls, batch_size=BATCH)
        timed("sessions", t0, len(session_objs))
        timed("recalls", time.perf_counter(), len(recalls))

        # Diary days (fast path) and month counts, a chunk of patients at a time.
        t0 = time.perf_counter()
        task = bar.task("diary days", patients * n_days)
        day_iso = [(start + dt.timedelta(days=k)).isoformat() for k in range(n_days)]
        json_cache: dict[int, str] = {}

        def classes_json(mask: int) -> str:
            if mask not in json_cache:
                json_cache[mask] = json.dumps([c for c, bit in engine.MED_BIT.items() if mask & bit])
            return json_cache[mask]

        month_starts = sorted({engine.month_start(start + dt.timedelta(days=k)) for k in range(n_days)})
        written = 0
        months_written = 0
        for c0 in range(0, patients, chunk):
            idx = range(c0, min(c0 + chunk, patients))
            cols, pidx = _diary_chunk(rng, idx, enrolled, sessions, start, n_days, engine)
            k = engine.classify_bulk(cols, threshold, validate=False)
            n = len(cols)
            day_off = (cols.date - np.datetime64(start, "D")).astype(np.int64)
            meds = cols.medications.tolist()
            sev_names = engine.SEVERITIES
            # One iterable per column, named, so the row order is ENTRY_COLUMNS' whatever it is.
            values: dict[str, Any] = {
                "public_id": _uuid_hex(rng, n),
                "patient_id": [pids[j] for j in pidx.tolist()],
                "clinic_id": repeat(clinic.pk),
                "date": [day_iso[o] for o in day_off.tolist()],
                "severity": [sev_names[s] for s in cols.severity.tolist()],
                "acute_medications": repeat("[]"),
                "medication_classes": [classes_json(m) for m in meds],
                "note": repeat(""),
                "reasons": repeat("[]"),
                "created_at": repeat(stamp),
                "updated_at": repeat(stamp),
                "version": repeat(1),
            }
            for name in ("headache", "duration_hours", *BOOL_FIELDS, "relieved_by_acute"):
                values[name] = getattr(cols, name).tolist()
            for name in DAY_FLAGS:
                values[name] = getattr(k, name).tolist()
            # Every finite column has n values (the repeats stop with them).
            tuples = zip(*(values[c] for c in ENTRY_COLUMNS))  # noqa: B905
            _insert_diary(connection, DiaryEntry._meta.db_table, ENTRY_COLUMNS, tuples, vendor)
            written += n
            bar.advance(task, len(idx) * n_days, written, t0)

            # Month counts: groups = (patient in chunk, month), period clipped to enrolment.
            nm = len(month_starts)
            local = pidx - c0
            first_m = np.datetime64(month_starts[0], "M")
            mo = (cols.date.astype("datetime64[M]") - first_m).astype(np.int64)
            groups = local * nm + mo
            g_start, g_end = [], []
            for j in idx:
                for m in month_starts:
                    g_start.append(max(m, enrolled[j]))  # as diary.months.month_period
                    g_end.append(engine.month_end(m))  # the whole month, as the diary stores it
            valid = [s <= e for s, e in zip(g_start, g_end, strict=True)]
            g_s = np.array(
                [s if v else e for s, e, v in zip(g_start, g_end, valid, strict=True)], dtype="datetime64[D]"
            )
            g_e = np.array(g_end, dtype="datetime64[D]")
            summ = engine.summarize_bulk(
                cols,
                g_s,
                g_e,
                groups,
                n_groups=len(idx) * nm,
                headache_threshold_hours=threshold,
                validate=False,
            )
            month_objs = []
            for gi in range(len(idx) * nm):
                if not valid[gi]:
                    continue
                j = idx[gi // nm]
                fields = month_fields(summ.summary(gi), threshold)
                month_objs.append(
                    DiaryMonth(patient_id=pids[j], clinic=clinic, month=month_starts[gi % nm], **fields)
                )
            DiaryMonth.objects.bulk_create(month_objs, batch_size=BATCH)
            months_written += len(month_objs)
        timed("diary_days", t0, written)
        stats.rows["diary_months"] = months_written
        DiaryStatus.objects.bulk_create(
            [DiaryStatus(patient_id=p, clinic=clinic, data_version=1, last_entry_on=today) for p in pids],
            batch_size=BATCH,
        )
        stats.rows["diary_status"] = patients

        # Appointments, authorizations, triage, outreach.
        t0 = time.perf_counter()
        appts, auths, reports, outreach = [], [], [], []
        for i, pid in enumerate(pids):
            ds = sessions[i]
            if not ds:
                continue
            opens = ds[-1] + dt.timedelta(days=interval)
            r = rng.random()
            if (opens - today).days <= 30 and r < 0.4:
                day = max(opens, today + dt.timedelta(days=1 + int(rng.integers(0, 14))))
                at = dt.datetime.combine(day, dt.time(9 + int(rng.integers(0, 7))), tzinfo=dt.UTC)
                appts.append(
                    Appointment(
                        clinic=clinic,
                        patient_id=pid,
                        clinician=clinician,
                        kind=AppointmentKind.INJECTION,
                        starts_at=at,
                        ends_at=at + dt.timedelta(minutes=30),
                    )
                )
            a = rng.random()
            if a < 0.7:
                s0 = ds[-1] - dt.timedelta(days=int(rng.integers(0, 300)))
                auths.append(
                    PriorAuthorization(
                        patient_id=pid,
                        clinic=clinic,
                        payer=("Acme Health", "Blue Ridge", "Northwind Care")[i % 3],
                        status=AuthStatus.APPROVED,
                        units_per_session=155,
                        visits_approved=4,
                        starts_on=s0,
                        ends_on=s0 + dt.timedelta(days=365),
                    )
                )
            elif a < 0.8:
                auths.append(
                    PriorAuthorization(patient_id=pid, clinic=clinic, payer="Acme Health", status="submitted")
                )
            if rng.random() < 0.003:
                reports.append((pid, ds[-1]))
            o = rng.random()
            if o < 0.2:
                outreach.append(
                    OutreachAttempt(
                        patient_id=pid,
                        clinic=clinic,
                        outcome="moved_away"
                        if o < 0.005
                        else ("no_answer", "message_left", "reached")[i % 3],
                        coordinator=coordinator,
                    )
                )
        Appointment.objects.bulk_create(appts, batch_size=BATCH)
        PriorAuthorization.objects.bulk_create(auths, batch_size=BATCH)
        OutreachAttempt.objects.bulk_create(outreach, batch_size=BATCH)
        with transaction.atomic():
            sess = {
                (s.patient_id, s.injected_on): s.pk
                for s in TreatmentSession.objects.filter(patient_id__in=[p for p, _ in reports])
            }
            for pid, d in reports:
                rep = SideEffectReport.objects.create(
                    patient_id=pid,
                    clinic=clinic,
                    session_id=sess.get((pid, d)),
                    symptoms=["trouble_breathing"],
                    days_since_injection=(today - d).days,
                    level=Level.URGENT,
                    advice="emergency",
                    reasons=[],
                )
                TriageItem.objects.create(
                    report=rep, patient_id=pid, clinic=clinic, level=Level.URGENT, priority=0, reported_at=now
                )
        timed("appointments", t0, len(appts))
        stats.rows["authorizations"] = len(auths)
        stats.rows["outreach"] = len(outreach)
        stats.rows["triage"] = len(reports)

        # Worklist rows, by their one writer.
        t0 = time.perf_counter()
        task = bar.task("worklist rows", patients)
        done = 0
        for b in range(0, patients, worklist_rows.CHUNK):
            part = pids[b : b + worklist_rows.CHUNK]
            worklist_rows.refresh(clinic.pk, part, today=today)
            done += len(part)
            bar.advance(task, len(part), done, t0)
        timed("worklist_rows", t0, patients)
    return stats


def _diary_chunk(
    rng: np.random.Generator,
    idx: range,
    enrolled: list[dt.date],
    sessions: list[list[dt.date]],
    start: dt.date,
    n_days: int,
    engine: Any,
) -> tuple[Any, np.ndarray]:
    """Diary columns for the patients ``idx``: each records a day with its own probability (60-100%), from
    enrolment; chronic migraine at baseline (about 18 headache days a month), fewer after the first
    session for responders (60%)."""
    days = np.arange(n_days)
    pidx_parts, off_parts, p_head = [], [], []
    for j in idx:
        first = (enrolled[j] - start).days
        keep = days >= first
        keep &= rng.random(n_days) < rng.uniform(0.6, 1.0)
        off = days[keep]
        base = 0.6
        after = 0.25 if rng.random() < 0.6 else 0.5
        treated = np.zeros(len(off), dtype=bool)
        if sessions[j]:
            treated = off >= (sessions[j][0] - start).days
        p_head.append(np.where(treated, after, base))
        pidx_parts.append(np.full(len(off), j, dtype=np.int64))
        off_parts.append(off)
    pidx = np.concatenate(pidx_parts)
    off = np.concatenate(off_parts)
    p = np.concatenate(p_head)
    n = len(off)
    headache = rng.random(n) < p
    dur = np.where(headache, np.round(rng.uniform(1, 12, n), 1), 0.0)
    sev = np.where(headache, rng.integers(1, 4, n), 0).astype(np.int8)

    def flag(q: float) -> np.ndarray:
        return headache & (rng.random(n) < q)

    te = flag(0.35)
    nsaid = flag(0.2)
    meds = (te.astype(np.uint16) * engine.MED_BIT["triptan"]) | (
        nsaid.astype(np.uint16) * engine.MED_BIT["nsaid"]
    )
    cols = engine.DiaryColumns(
        date=(np.datetime64(start, "D") + off).astype("datetime64[D]"),
        headache=headache,
        duration_hours=dur.astype(np.float64),
        severity=sev,
        unilateral=flag(0.5),
        pulsating=flag(0.6),
        aggravated_by_activity=flag(0.5),
        nausea=flag(0.5),
        vomiting=flag(0.1),
        photophobia=flag(0.6),
        phonophobia=flag(0.5),
        aura=flag(0.1),
        relieved_by_acute=te & (rng.random(n) < 0.6),
        medications=meds.astype(np.uint16),
    )
    return cols, pidx


def _insert_diary(
    connection: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]], vendor: str
) -> None:
    """COPY on PostgreSQL, executemany on SQLite, in one transaction per chunk."""
    from django.db import transaction

    cols = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as c:
        raw = c.cursor
        if vendor == "postgresql":
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        else:
            # A bigger page cache keeps the random public-id index in memory.
            raw.execute("PRAGMA cache_size=-262144")
            marks = ", ".join("?" * len(columns))
            # The driver's own executemany: Django's cursor wrapper rewrites every parameter list first.
            # Table and column names are the model's own (diary.demo.ENTRY_COLUMNS, checked), never input.
            connection.connection.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608

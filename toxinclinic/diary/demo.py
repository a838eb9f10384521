"""Demo step: realistic headache diaries for chronic-migraine patients who use the portal.

A chronic pattern before the first session; responders improve with each cycle (from about a week after
each injection), non-responders barely change, a few overuse acute medicines (their clinicians see the
flag); everyone misses some days, some in streaks. Every day is classified by the engine (memoised: the
class depends only on the day's answers), months are counted with the engine's bulk path and the
medication-overuse verdict is the engine's. Rows go in with plain multi-row INSERTs so the step scales to
tens of thousands of patients. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import connection, models
from django.utils import timezone

from toxinclinic.clinical import diary as engine
from toxinclinic.demo.context import DemoContext
from toxinclinic.diary import conf
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.diary.months import month_fields, month_period, month_start
from toxinclinic.diary.overuse import moh_end, verdict_columns
from toxinclinic.diary.validation import BOOL_FIELDS
from toxinclinic.patients.models import ACUTE_CLASSES, Medication, Patient, PatientIndication
from toxinclinic.treatment.models import TreatmentSession

DEMO_ORDER = 31
HISTORY_DAYS = 240  # per patient, so the demo scales to tens of thousands of patients
#: A treated patient's diary starts this long before the first session (so every cycle has a baseline to
#: be compared with on the cycles and outcomes screens), but never more than MAX_HISTORY_DAYS ago.
BASELINE_DAYS = 75
MAX_HISTORY_DAYS = 500
DEMO_PATIENT_BASELINE_DAYS = 120
BATCH = 500
SEVERITY_CODE = {s: i for i, s in enumerate(engine.SEVERITIES)}

#: The columns every bulk diary writer fills, in this order: this demo step and the benchmark network
#: (``benchmarks/network.py``) both write rows of exactly these values. ``entered_by`` is left NULL (the
#: patients entered these days themselves); ``check_entry_columns`` fails when the model changes.
ENTRY_COLUMNS = (
    "public_id",
    "patient_id",
    "clinic_id",
    "date",
    "headache",
    "duration_hours",
    "severity",
    *BOOL_FIELDS,
    "acute_medications",
    "medication_classes",
    "relieved_by_acute",
    "note",
    "headache_day",
    "migraine_day",
    "moderate_severe_day",
    "acute_medication_day",
    "triptan_or_ergot_day",
    "reasons",
    "created_at",
    "updated_at",
    "version",
)


def check_entry_columns() -> None:
    """Refuse to write when ``DiaryEntry`` has a column the bulk writers would leave out without a NULL to
    fall back on, or when ENTRY_COLUMNS names a column the model no longer has."""
    model = {f.column: f for f in DiaryEntry._meta.concrete_fields if not f.primary_key}
    written = set(ENTRY_COLUMNS)
    unknown = written - set(model)
    left_out = [c for c, f in model.items() if c not in written and not f.null]
    if unknown or left_out:
        raise RuntimeError(
            f"DiaryEntry columns changed: not in the model {sorted(unknown)}, "
            f"required but not written {sorted(left_out)}; update diary.demo.ENTRY_COLUMNS"
        )


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng_for("diary")
    today = ctx.today
    demo_pk = ctx.demo_patient.pk if ctx.demo_patient is not None else None
    cm = set(
        PatientIndication.objects.filter(
            patient_id__in=ctx.patient_ids, indication="chronic_migraine"
        ).values_list("patient_id", flat=True)
    )
    # Iterate in pk order: a set's order could pair the random draws with different patients.
    users = [pk for pk in sorted(cm) if pk == demo_pk or rng.random() < 0.7]
    sessions: dict[int, list[dt.date]] = defaultdict(list)
    for pid, d in TreatmentSession.objects.filter(clinic=ctx.clinic).values_list("patient_id", "injected_on"):
        sessions[pid].append(d)
    gen = _Generator(rng, today, conf.headache_threshold_hours())
    task = ctx.task("diaries", len(users))
    for i in range(0, len(users), BATCH):
        chunk = users[i : i + BATCH]
        gen.batch(chunk, sessions, demo_pk)
        ctx.advance(task, len(chunk))
    ctx.diary_course = diary_course(ctx.clinic)


def diary_course(clinic: Any) -> dict[int, float]:
    """Each diarist's course for later demo steps (questionnaires follow it): headache days in the latest
    sufficient month over those in the first."""
    first_last: dict[int, list[int]] = {}
    for pid, hd in (
        DiaryMonth.objects.filter(clinic=clinic, sufficient=True)
        .order_by("month")
        .values_list("patient_id", "headache_days")
    ):
        first_last.setdefault(pid, [hd, hd])[1] = hd
    return {pid: (last / first if first else 1.0) for pid, (first, last) in first_last.items()}


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Multi-row INSERT of already-prepared values (several hundred rows per statement)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per = max(1, min(500, (connection.features.max_query_params or 100_000) // len(columns)))
    with connection.cursor() as cur:
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            # Table and column names come from the model, values are parameters.
            sql = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608
            cur.execute(sql, [v for r in chunk for v in r])


class _Generator:
    def __init__(self, rng: random.Random, today: dt.date, threshold: float) -> None:
        self.rng = rng
        self.today = today
        self.threshold = threshold
        self.memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.json_memo: dict[tuple[Any, ...], Any] = {}
        check_entry_columns()
        fields = {c: DiaryEntry._meta.get_field(c) for c in ENTRY_COLUMNS}
        self.json = {c for c, f in fields.items() if isinstance(f, models.JSONField)}
        self.json_field = fields["reasons"]
        now = timezone.now()
        self.now = fields["created_at"].get_db_prep_save(now, connection)

    def _json(self, value: Any) -> Any:
        return self.json_field.get_db_prep_save(value, connection)

    def _json_memo(self, key: tuple[Any, ...], value: Any) -> Any:
        hit = self.json_memo.get(key)
        if hit is None:
            hit = self.json_memo[key] = self._json(value)
        return hit

    def _uuid(self) -> Any:
        u = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        # Django keeps UUIDs as 32 hex characters on SQLite; PostgreSQL takes the object.
        return u.hex if connection.vendor == "sqlite" else u

    def _classify(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        """Engine class for one set of answers (independent of the date), memoised."""
        hit = self.memo.get(key)
        if hit is None:
            headache, hours, severity, feats, classes, relieved = key
            day = engine.DiaryDay(
                dt.date(2000, 1, 1),
                headache=headache,
                duration_hours=hours,
                severity=severity,
                acute_medications=classes,
                relieved_by_acute=relieved,
                **dict(zip(BOOL_FIELDS, feats, strict=True)),
            )
            k = engine.classify_day(day, self.threshold)
            hit = (
                k.headache_day,
                k.migraine_day,
                k.moderate_severe_day,
                k.acute_medication_day,
                k.triptan_or_ergot_day,
                self._json(list(k.reasons)),
            )
            self.memo[key] = hit
        return hit

    def batch(self, pids: list[int], sessions: dict[int, list[dt.date]], demo_pk: int | None) -> None:
        patients = {
            p.pk: p for p in Patient.objects.filter(pk__in=pids).only("pk", "clinic_id", "enrolled_on")
        }
        meds: dict[int, list[Medication]] = defaultdict(list)
        for m in Medication.objects.filter(
            patient_id__in=pids, drug_class__in=ACUTE_CLASSES, stopped_on__isnull=True
        ).order_by("pk"):
            meds[m.patient_id].append(m)
        rows: list[tuple[Any, ...]] = []
        cols: dict[str, list[Any]] = defaultdict(list)
        group_keys: list[tuple[int, dt.date]] = []
        recent: dict[int, list[engine.DiaryDay]] = {}
        counts: dict[int, tuple[int, dt.date | None]] = {}
        for pid in pids:
            n, last = self._patient(
                patients[pid],
                sorted(sessions.get(pid, [])),
                meds.get(pid, []),
                pid == demo_pk,
                rows,
                cols,
                group_keys,
                recent,
            )
            counts[pid] = (n, last)
        insert_rows(DiaryEntry, ENTRY_COLUMNS, rows)
        self._months(patients, cols, group_keys)
        self._statuses(patients, recent, counts)

    def _patient(
        self,
        p: Patient,
        sessions: list[dt.date],
        meds: list[Medication],
        demo: bool,
        rows: list[tuple[Any, ...]],
        cols: dict[str, list[Any]],
        group_keys: list[tuple[int, dt.date]],
        recent: dict[int, list[engine.DiaryDay]],
    ) -> tuple[int, dt.date | None]:
        rng, today = self.rng, self.today
        start = max(p.enrolled_on, today - dt.timedelta(days=HISTORY_DAYS))
        if sessions:
            start = max(
                p.enrolled_on,
                min(start, sessions[0] - dt.timedelta(days=BASELINE_DAYS)),
                today - dt.timedelta(days=MAX_HISTORY_DAYS),
            )
        if demo:
            # Four months of baseline before the first session (or since enrolment).
            first = sessions[0] if sessions else today
            start = max(p.enrolled_on, first - dt.timedelta(days=DEMO_PATIENT_BASELINE_DAYS))
        responder = demo or rng.random() < 0.6
        overuser = not demo and rng.random() < 0.1 and bool(meds)
        base = 0.7 if demo else rng.uniform(0.62, 0.8) if overuser else rng.uniform(0.5, 0.72)
        completeness = 0.95 if demo else rng.uniform(0.72, 0.99)
        gaps: set[dt.date] = set()
        span = max((today - start).days, 1)
        for _ in range(rng.randint(0, 3)):
            g = start + dt.timedelta(days=rng.randint(0, span))
            gaps |= {g + dt.timedelta(days=k) for k in range(rng.randint(3, 7))}
        if demo:
            # The demo patient has not logged today, and missed two recent days to fill in.
            gaps |= {today, today - dt.timedelta(days=2), today - dt.timedelta(days=5)}
        moh_from = engine.assessment_periods(today)[0][1]
        med_rows = [{"id": str(m.public_id), "name": m.name, "drug_class": m.drug_class} for m in meds]
        none_feats = (False,) * len(BOOL_FIELDS)
        empty = self._json_memo(("empty",), [])
        n = 0
        last: dt.date | None = None
        mine: list[engine.DiaryDay] = []
        d = start
        while d <= today:
            if d in gaps or rng.random() > completeness:
                d += dt.timedelta(days=1)
                continue
            cycles = sum(1 for s in sessions if s <= d - dt.timedelta(days=7))
            if overuser:
                factor = 1.0
            elif responder:
                factor = max(0.3, 1 - 0.27 * cycles)
            else:
                factor = 1 - 0.07 * min(cycles, 2)
            taken: list[int] = []
            relieved = False
            if rng.random() < base * factor:
                if rng.random() < (0.65 if factor > 0.6 else 0.5):
                    hours = float(rng.choice([4, 6, 8, 10, 12, 16, 24]))
                    severity = rng.choice(["moderate", "severe", "severe"])
                    p_feat = (0.7, 0.7, 0.6, 0.6, 0.7, 0.6, 0.08, 0.0)
                else:
                    hours = float(rng.choice([1, 2, 2.5, 3, 4, 5, 6]))
                    severity = rng.choice(["mild", "mild", "moderate"])
                    p_feat = (0.0, 0.0, 0.2, 0.0, 0.2, 0.0, 0.0, 0.0)
                feats = tuple(rng.random() < x for x in p_feat)
                if meds and rng.random() < (0.92 if overuser else 0.55):
                    two = overuser and len(meds) > 1 and rng.random() < 0.3
                    taken = sorted(rng.sample(range(len(meds)), 2 if two else 1))
                    relieved = rng.random() < 0.65
                headache = True
            else:
                headache, hours, severity, feats = False, 0.0, "none", none_feats
            classes = tuple(dict.fromkeys(meds[i].drug_class for i in taken))
            key = (headache, hours, severity, feats, classes, relieved)
            hd, md, ms, am, te, reasons = self._classify(key)
            rows.append(
                (
                    self._uuid(),
                    p.pk,
                    p.clinic_id,
                    d,
                    headache,
                    hours,
                    severity,
                    *feats,
                    self._json_memo((p.pk, *taken), [med_rows[i] for i in taken]) if taken else empty,
                    self._json_memo(("classes", *classes), sorted(set(classes))),
                    relieved,
                    "",
                    hd,
                    md,
                    ms,
                    am,
                    te,
                    reasons,
                    self.now,
                    self.now,
                    1,
                )
            )
            cols["date"].append(d)
            cols["headache"].append(headache)
            cols["duration_hours"].append(hours)
            cols["severity"].append(SEVERITY_CODE[severity])
            for name, v in zip(BOOL_FIELDS, feats, strict=True):
                cols[name].append(v)
            cols["relieved_by_acute"].append(relieved)
            cols["medications"].append(sum(engine.MED_BIT[c] for c in set(classes)))
            group_keys.append((p.pk, month_start(d)))
            if d >= moh_from:
                mine.append(
                    engine.DiaryDay(
                        d,
                        headache=headache,
                        duration_hours=hours,
                        severity=severity,
                        acute_medications=classes,
                        relieved_by_acute=relieved,
                        **dict(zip(BOOL_FIELDS, feats, strict=True)),
                    )
                )
            n += 1
            last = d
            d += dt.timedelta(days=1)
        recent[p.pk] = mine
        return n, last

    def _months(
        self,
        patients: dict[int, Patient],
        cols: dict[str, list[Any]],
        group_keys: list[tuple[int, dt.date]],
    ) -> None:
        """Every patient-month of the batch at once with the engine's bulk summary."""
        if not group_keys:
            return
        index: dict[tuple[int, dt.date], int] = {}
        for k in group_keys:
            index.setdefault(k, len(index))
        groups = list(index)
        periods = [month_period(patients[pid], m) for pid, m in groups]
        columns = engine.DiaryColumns(
            date=np.array(cols["date"], dtype="datetime64[D]"),
            headache=np.array(cols["headache"], dtype=bool),
            duration_hours=np.array(cols["duration_hours"], dtype=np.float64),
            severity=np.array(cols["severity"], dtype=np.int8),
            medications=np.array(cols["medications"], dtype=np.uint16),
            **{name: np.array(cols[name], dtype=bool) for name in (*BOOL_FIELDS, "relieved_by_acute")},
        )
        bulk = engine.summarize_bulk(
            columns,
            np.array([s for s, _ in periods], dtype="datetime64[D]"),
            np.array([e for _, e in periods], dtype="datetime64[D]"),
            np.array([index[k] for k in group_keys], dtype=np.int64),
            n_groups=len(groups),
            headache_threshold_hours=self.threshold,
        )
        DiaryMonth.objects.bulk_create(
            [
                DiaryMonth(
                    patient_id=pid,
                    clinic_id=patients[pid].clinic_id,
                    month=m,
                    **month_fields(bulk.summary(i), self.threshold),
                )
                for i, (pid, m) in enumerate(groups)
            ],
            batch_size=2000,
        )

    def _statuses(
        self,
        patients: dict[int, Patient],
        recent: dict[int, list[engine.DiaryDay]],
        counts: dict[int, tuple[int, dt.date | None]],
    ) -> None:
        end = moh_end(self.today)
        rows = []
        for pid, days in recent.items():
            v = engine.medication_overuse(days, self.today, headache_threshold_hours=self.threshold)
            n, last = counts[pid]
            rows.append(
                DiaryStatus(
                    patient_id=pid,
                    clinic_id=patients[pid].clinic_id,
                    data_version=n,
                    last_entry_on=last,
                    **verdict_columns(v, end),
                )
            )
        DiaryStatus.objects.bulk_create(rows, batch_size=2000)

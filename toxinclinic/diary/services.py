"""Diary use cases: validate and save a day (classified by the engine), monthly counts, missing days,
the month calendar and the medication-overuse verdict. One set of rules for the HTML forms and the API."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows: fall back to SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from toxinclinic.audit.services import change_row, insert_row, record_change, snapshot, snapshot_values
from toxinclinic.clinical import diary as engine
from toxinclinic.clinical._common import Verdict
from toxinclinic.core.rawsql import Table, cached_sql
from toxinclinic.diary import conf
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.patients.models import ACUTE_CLASSES, Medication, Patient
from toxinclinic.patients.services import Conflict

#: Headache features: engine field -> the plain-language label the patient taps.
FEATURES: dict[str, str] = {
    "unilateral": "One side of the head",
    "pulsating": "Throbbing",
    "aggravated_by_activity": "Worse with activity",
    "nausea": "Nausea",
    "photophobia": "Light bothered me",
    "phonophobia": "Noise bothered me",
    "aura": "Aura",
}
#: Accepted through the API but not shown as a chip (nausea covers criterion D on the phone form).
EXTRA_FEATURES = ("vomiting",)
BOOL_FIELDS = (*FEATURES, *EXTRA_FEATURES)
HEADACHE_SEVERITIES = ("mild", "moderate", "severe")
NOTE_MAX = 1000

DAY_FIELDS = (
    "date",
    "headache",
    "duration_hours",
    "severity",
    *BOOL_FIELDS,
    "medication_classes",
    "relieved_by_acute",
)


class InvalidDay(Exception):
    """Per-field errors ``{field: [message]}``; nothing was stored."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class DayInput:
    """What a patient says about one day (HTML form and API both produce this)."""

    headache: bool
    duration_hours: float | None = None
    severity: str | None = None
    features: dict[str, bool] = field(default_factory=dict)
    medications: Sequence[str] = ()
    relieved_by_acute: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class CleanDay:
    day: engine.DiaryDay
    medications: list[dict[str, str]]
    note: str


def _fmt(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def earliest_allowed(patient: Patient, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return max(patient.enrolled_on, today - dt.timedelta(days=conf.backfill_days()))


def check_date(patient: Patient, day: dt.date, today: dt.date | None = None) -> list[str]:
    """Why ``day`` may not be written (empty when it may)."""
    today = today or timezone.localdate()
    if day > today:
        return [f"Date: {_fmt(day)} is in the future. You can record today ({_fmt(today)}) or earlier days."]
    if day < patient.enrolled_on:
        return [f"Date: {_fmt(day)} is before your diary started on {_fmt(patient.enrolled_on)}."]
    limit = conf.backfill_days()
    if (today - day).days > limit:
        return [
            f"Date: {_fmt(day)} is more than {limit} days ago. You can fill in days back to "
            f"{_fmt(today - dt.timedelta(days=limit))}; ask the clinic to add older days."
        ]
    return []


def acute_medicines(patient: Patient) -> list[Medication]:
    """The patient's own current acute medicines (chart medications with an acute class)."""
    return list(
        Medication.objects.filter(patient=patient, drug_class__in=ACUTE_CLASSES, stopped_on__isnull=True)
    )


def validate_day(
    patient: Patient,
    day: dt.date,
    data: DayInput,
    *,
    today: dt.date | None = None,
    medicines: Sequence[Medication] | None = None,
) -> CleanDay:
    """Check one day against the rules and build the engine's ``DiaryDay``. Raises :class:`InvalidDay`."""
    errors: dict[str, list[str]] = {}
    date_errors = check_date(patient, day, today)
    if date_errors:
        errors["date"] = date_errors
    hours = data.duration_hours
    severity = data.severity or None
    if data.headache:
        if hours is None:
            errors["duration_hours"] = ["Hours: enter how long the headache lasted, from 0.5 to 24 hours."]
        elif isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
            errors["duration_hours"] = ["Hours: enter a number such as 2 or 4.5."]
        elif hours > 24:
            errors["duration_hours"] = [
                f"Hours: {hours:g} is more than 24. A day has at most 24 hours; enter the longest "
                "headache that day (0.5 to 24)."
            ]
        elif hours <= 0:
            errors["duration_hours"] = [
                f"Hours: {hours:g} is too low. Enter how long the headache lasted (0.5 to 24), "
                "or choose 'No headache today'."
            ]
        if severity is None:
            errors["severity"] = ["Worst pain: choose mild, moderate or severe."]
        elif severity not in HEADACHE_SEVERITIES:
            errors["severity"] = [f"Worst pain: {str(severity)[:20]!r} is not one of mild, moderate, severe."]
    else:
        if hours not in (None, 0):
            errors["duration_hours"] = ["Hours: leave this empty (or 0) when there was no headache."]
        if severity not in (None, "none"):
            errors["severity"] = ["Worst pain: leave this empty when there was no headache."]
        hours, severity = 0, "none"
    unknown = set(data.features) - set(BOOL_FIELDS)
    if unknown:
        errors["features"] = [f"Features: unknown {', '.join(sorted(unknown))}."]
    if medicines is None:
        # Most days carry no medicine: skip the look-up then (this is the hot path of the diary API).
        medicines = acute_medicines(patient) if data.medications else []
    meds_by_id = {str(m.public_id): m for m in medicines}
    chosen: list[Medication] = []
    for raw in data.medications:
        m = meds_by_id.get(str(raw))
        if m is None:
            errors.setdefault("medications", []).append(
                f"Medicines: {str(raw)[:40]} is not one of your acute medicines. Choose from your list, "
                "or ask the clinic to add the medicine to your chart."
            )
        elif m not in chosen:
            chosen.append(m)
    relieved = bool(data.relieved_by_acute)
    if relieved and not chosen:
        errors["relieved_by_acute"] = [
            "Did it help: choose the medicine you took first, or leave this question blank."
        ]
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"Note: {len(note)} characters is too long; keep it under {NOTE_MAX}."]
    if errors:
        raise InvalidDay(errors)
    feats = {k: bool(data.features.get(k, False)) for k in BOOL_FIELDS} if data.headache else {}
    try:
        engine_day = engine.DiaryDay(
            day,
            headache=bool(data.headache),
            duration_hours=float(hours or 0),
            severity=severity or "none",
            acute_medications=tuple(dict.fromkeys(m.drug_class for m in chosen)),
            relieved_by_acute=relieved,
            **feats,
        )
    except ValueError as exc:
        # The engine re-checks every limit; its message starts with the field name.
        name = str(exc).split(":", 1)[0].split(" ")[0]
        key = name if name in ("duration_hours", "severity", "date") else "features"
        raise InvalidDay({key: [str(exc)]}) from exc
    meds = [{"id": str(m.public_id), "name": m.name, "drug_class": m.drug_class} for m in chosen]
    return CleanDay(engine_day, meds, note)


def to_engine_day(e: DiaryEntry | dict[str, Any]) -> engine.DiaryDay:
    get = e.get if isinstance(e, dict) else lambda k: getattr(e, k)
    return engine.DiaryDay(
        get("date"),
        headache=get("headache"),
        duration_hours=get("duration_hours"),
        severity=get("severity"),
        acute_medications=tuple(get("medication_classes") or ()),
        relieved_by_acute=get("relieved_by_acute"),
        **{k: get(k) for k in BOOL_FIELDS},
    )


_SQLITE_WRITES = threading.RLock()
_LOCK_FILES: dict[str, int] = {}
_TURN = threading.local()


def _lock_file() -> int | None:
    """A file beside the SQLite database whose ``flock`` the writers of every process queue on."""
    if fcntl is None:
        return None
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    fd = _LOCK_FILES.get(name)
    if fd is None:
        fd = _LOCK_FILES[name] = os.open(name + ".diary-writes", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


@contextmanager
def _write_turn() -> Iterator[None]:
    """On SQLite, diary writers take turns for the single database write lock, in and across processes.

    SQLite admits one writer at a time anyway; without this, a writer that finds the database busy sleeps
    in SQLite's busy handler (1, 2, 5, 10 … ms steps) and under load the tail latency balloons. A thread
    lock plus an ``flock`` on a file beside the database wake the next writer as soon as the last one
    commits. PostgreSQL locks rows, so there it does nothing.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with _SQLITE_WRITES:
        depth = getattr(_TURN, "depth", 0)
        fd = _lock_file() if depth == 0 else None  # a nested save already holds the file lock
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        _TURN.depth = depth + 1
        try:
            yield
        finally:
            _TURN.depth = depth
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


def save_day(
    patient: Patient,
    clean: CleanDay,
    *,
    actor: Any,
    expected_version: int | None = None,
) -> tuple[DiaryEntry, bool]:
    """Insert or replace the patient's row for ``clean.day.date`` (one row per day), classify it with the
    engine, refresh the month's counts and the patient's diary status. Returns (entry, created)."""
    for attempt in range(2):
        try:
            return _save_day(patient, clean, actor=actor, expected_version=expected_version)
        except IntegrityError:
            # Two first saves of the same day raced; the loser retries as a replace.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _entry_values(clean: CleanDay, k: engine.DayClass, actor: Any) -> dict[str, Any]:
    """The entry's columns (by attname) for the day as entered and as the engine classified it."""
    day = clean.day
    return {
        "headache": day.headache,
        "duration_hours": float(day.duration_hours),
        "severity": day.severity,
        **{name: getattr(day, name) for name in BOOL_FIELDS},
        "acute_medications": clean.medications,
        "medication_classes": sorted(set(day.acute_medications)),
        "relieved_by_acute": day.relieved_by_acute,
        "note": clean.note,
        "headache_day": k.headache_day,
        "migraine_day": k.migraine_day,
        "moderate_severe_day": k.moderate_severe_day,
        "acute_medication_day": k.acute_medication_day,
        "triptan_or_ergot_day": k.triptan_or_ergot_day,
        "reasons": list(k.reasons),
        "entered_by_id": actor.pk if getattr(actor, "pk", None) else None,
    }


def _apply(entry: DiaryEntry, clean: CleanDay, k: engine.DayClass, actor: Any) -> None:
    for name, value in _entry_values(clean, k, actor).items():
        setattr(entry, name, value)


_ENTRIES = Table(DiaryEntry)
_MONTHS = Table(DiaryMonth)
_STATUS = Table(DiaryStatus, ["id", "data_version", "last_entry_on", "moh_end"])

#: The counts a stored month keeps (with ``medication_days_by_class``), enough to rebuild its summary.
MONTH_COUNTS = engine.COUNT_FIELDS


def month_summary(row: Mapping[str, Any], start: dt.date, end: dt.date) -> engine.PeriodSummary:
    """A stored month's counts as the engine's summary of ``[start, end]``."""
    return engine.period_summary(
        start,
        end,
        **{c: row[c] for c in MONTH_COUNTS},
        medication_days_by_class=row["medication_days_by_class"] or {},
    )


def _save_day(
    patient: Patient, clean: CleanDay, *, actor: Any, expected_version: int | None
) -> tuple[DiaryEntry, bool]:
    """The optimistic path first (:func:`_save_counted`); for a patient's first save, a concurrent save
    of the same patient, or stored counts that no longer fit, recount everything under the lock."""
    k = engine.classify_day(clean.day, conf.headache_threshold_hours())
    today = timezone.localdate()
    done = _save_counted(patient, clean, k, actor=actor, expected_version=expected_version, today=today)
    if done is not None:
        return done
    day = clean.day
    with _write_turn(), transaction.atomic():
        # Row locks in the counted path's order (status, entry, month), after the patient's row, which
        # only this path locks: on PostgreSQL a recount and a counted save of the same patient would
        # otherwise deadlock (each holding the row the other needs next). NO KEY UPDATE, so the foreign-key
        # checks of a counted save's inserts (KEY SHARE on the patient) never wait for it.
        Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list("pk").first()
        DiaryStatus.objects.select_for_update(no_key=True).filter(patient=patient).values_list("pk").first()
        existing = DiaryEntry.objects.select_for_update().filter(patient=patient, date=day.date).first()
        if existing is not None and expected_version is not None and existing.version != expected_version:
            raise Conflict(existing.version)
        before = snapshot(existing) if existing else None
        entry = existing or DiaryEntry(patient=patient, clinic_id=patient.clinic_id, date=day.date)
        _apply(entry, clean, k, actor)
        if existing is not None:
            entry.version = existing.version + 1
        entry.save()
        record_change(
            "diary.entry_replaced" if existing else "diary.entry_created", entry, before, actor=actor
        )
        refresh_month(patient, day.date)
        _touch_status(patient, day.date, today=today, moh=True)
    return entry, existing is None


def _save_counted(
    patient: Patient,
    clean: CleanDay,
    k: engine.DayClass,
    *,
    actor: Any,
    expected_version: int | None,
    today: dt.date,
) -> tuple[DiaryEntry, bool] | None:
    """Save by adjusting the stored month counts by the one day that changed (``engine.replace_day``) and,
    when the judged months are touched, re-judging medication overuse from stored month counts. Reads
    happen before the write lock; the write claims the patient's status row at the version read, so a
    concurrent save of the same patient makes this return None (nothing written) and the caller recounts.
    Plain SQL (``core.rawsql``): this is the diary API's hot path.
    """
    day = clean.day
    threshold = conf.headache_threshold_hours()
    month = month_start(day.date)
    with connection.cursor() as cur:
        cur.execute(_state_sql(), [_ENTRIES.prep("date", day.date), patient.pk])
        state = cur.fetchone()
        if state is None:
            return None
        n = len(_STATUS.attnames)
        status = _STATUS.from_db(state[:n])
        old = _ENTRIES.from_db(state[n:]) if state[n] is not None else None
        if old is not None and expected_version is not None and old["version"] != expected_version:
            raise Conflict(old["version"])
        # Judged months: the 3 before today's, or newer ones another process already judged (a request
        # that started before midnight at a month's end must not store the older months' verdict).
        end = moh_end(today)
        end = max(end, status["moh_end"] or end)
        periods = engine.assessment_periods(end)
        # Only a write inside the judged months, or the first write after they moved on, changes MOH.
        moh_due = status["moh_end"] != end or day.date <= end
        wanted = sorted({month} | ({ps for _, ps, _ in periods} if moh_due else set()))
        months = {
            r["month"]: r for r in _MONTHS.select_in(cur, ["patient_id"], [patient.pk], "month", wanted)
        }
    start, stop = month_period(patient, day.date)
    row = months.get(month)
    if row is not None and (row["period_start"], row["period_end"], row["headache_threshold_hours"]) != (
        start,
        stop,
        threshold,
    ):
        return None  # the enrolment date or the headache threshold changed since the month was counted
    if row is None and old is not None:
        return None  # a day without its month: recount
    try:
        base = month_summary(row, start, stop) if row else engine.summarize([], start, stop)
        # The old day as the month counted it: its inputs classified with the same threshold.
        before = engine.classify_day(to_engine_day(old), threshold) if old else None
        summary = engine.replace_day(base, before, k)
    except ValueError:
        return None  # the stored counts are impossible or do not hold this day: recount
    counts = month_fields(summary, threshold)
    verdict = _verdict_from_months({**months, month: counts}, periods) if moh_due else None
    if moh_due and verdict is None:
        verdict = medication_overuse(patient, end, replace=day)
    now = timezone.now()
    values: dict[str, Any] = (
        dict(old)
        if old
        else {
            "public_id": uuid.uuid4(),
            "patient_id": patient.pk,
            "clinic_id": patient.clinic_id,
            "date": day.date,
            "created_at": now,
            "version": 0,
            "id": None,
        }
    )
    entered = _entry_values(clean, k, actor)
    # A replacement writes only the columns that changed.
    entry_sets = {a: v for a, v in entered.items() if old is None or old[a] != v}
    values.update(entered, updated_at=now, version=values["version"] + 1)
    entry_sets.update(updated_at=now, version=values["version"])
    status_values: dict[str, Any] = {
        "last_entry_on": max(status["last_entry_on"] or day.date, day.date),
        "updated_at": now,
    }
    if verdict is not None:
        status_values.update(
            moh_status=verdict.status, moh_met=verdict.met, moh_end=end, moh_reasons=list(verdict.reasons)
        )
    month_sets = {a: v for a, v in counts.items() if row is None or row[a] != v}
    entry = _ENTRIES.instance(values)
    event = change_row(
        "diary.entry_replaced" if old else "diary.entry_created",
        entry,
        values,
        snapshot_values(DiaryEntry, old) if old else None,
        actor=actor,
    )
    # Everything is computed; the lock is held only for the statements.
    with _write_turn(), transaction.atomic(), connection.cursor() as cur:
        if not _claim(cur, status, status_values):
            return None
        if old is not None:
            _ENTRIES.update(cur, entry_sets, {"id": old["id"]})
        else:
            entry.pk = values["id"] = _ENTRIES.insert(cur, {a: v for a, v in values.items() if a != "id"})
            event["changes"] = dict(sorted({**event["changes"], "id": [None, entry.pk]}.items()))
        insert_row(cur, event)
        if row is None:
            _MONTHS.insert(
                cur,
                {
                    "patient_id": patient.pk,
                    "clinic_id": patient.clinic_id,
                    "month": month,
                    **counts,
                    "updated_at": now,
                },
            )
        elif month_sets:
            _MONTHS.update(cur, {**month_sets, "updated_at": now}, {"id": row["id"]})
    return entry, old is None


def _state_sql() -> str:
    """The patient's diary status with the entry of one day, if any: one statement (params: date, patient)."""
    s, e = _STATUS, _ENTRIES
    return cached_sql(
        "diary.status_with_day",
        lambda: (
            f"SELECT {s.columns}, {e.columns} FROM {s.name} LEFT JOIN {e.name} "  # noqa: S608
            f"ON {e.name}.{e.column('patient_id')} = {s.name}.{s.column('patient_id')} "
            f"AND {e.name}.{e.column('date')} = %s WHERE {s.name}.{s.column('patient_id')} = %s"
        ),
    )


def _verdict_from_months(
    months: Mapping[dt.date, Mapping[str, Any]], periods: Sequence[tuple[str, dt.date, dt.date]]
) -> Verdict | None:
    """Medication overuse judged from stored month counts (``{first of month: counts}``, as
    :func:`month_fields` gives them). None when a month's counts cannot stand for the whole calendar
    month (enrolled mid-month), were made with another headache threshold, or are impossible: then
    judge from the days."""
    summaries = []
    threshold = conf.headache_threshold_hours()
    try:
        for label, ps, pe in periods:
            r = months.get(ps)
            if r is not None and (r["period_start"] != ps or r["headache_threshold_hours"] != threshold):
                return None
            summaries.append((label, month_summary(r, ps, pe) if r else engine.summarize([], ps, pe)))
    except ValueError:
        return None
    return engine.medication_overuse_from_summaries(
        summaries, headache_threshold_hours=conf.headache_threshold_hours()
    )


def _claim(cur: Any, status: Mapping[str, Any], values: dict[str, Any]) -> bool:
    """Bump the patient's diary version if it is still the one read (nobody saved this patient's diary
    since), storing ``values`` with it. False: nothing changed; start again under the lock."""
    version = _STATUS.column("data_version")
    return bool(
        _STATUS.update(
            cur,
            values,
            {"id": status["id"], "data_version": status["data_version"]},
            raw_sets=f"{version} = {version} + 1",
        )
    )


# ------------------------------------------------------------------------------------------ months


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def month_period(patient: Patient, month: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month clipped to the enrolment date (days before enrolment are not 'missing')."""
    return max(month_start(month), patient.enrolled_on), month_end(month)


def days_between(patient: Patient, start: dt.date, end: dt.date) -> list[engine.DiaryDay]:
    rows = DiaryEntry.objects.filter(patient=patient, date__range=(start, end)).values(*DAY_FIELDS)
    return [to_engine_day(r) for r in rows]


def refresh_month(patient: Patient, day: dt.date) -> DiaryMonth:
    """Recount the month containing ``day`` with ``clinical.diary.summarize`` and store it."""
    start, end = month_period(patient, day)
    s = engine.summarize(
        days_between(patient, start, end),
        start,
        end,
        headache_threshold_hours=conf.headache_threshold_hours(),
    )
    return _store_month(patient, day, s)


def _store_month(patient: Patient, day: dt.date, s: engine.PeriodSummary) -> DiaryMonth:
    fields = month_fields(s, conf.headache_threshold_hours())
    row = DiaryMonth(patient=patient, clinic_id=patient.clinic_id, month=month_start(day), **fields)
    # One INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL) instead of SELECT + UPDATE/INSERT.
    DiaryMonth.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["patient", "month"],
        update_fields=["clinic", *fields, "updated_at"],
    )
    return row


def month_fields(s: engine.PeriodSummary, threshold_hours: float) -> dict[str, Any]:
    """A month row's columns for summary ``s``, counted with headache threshold ``threshold_hours``."""
    return {
        "period_start": s.start,
        "period_end": s.end,
        "days_in_period": s.days_in_period,
        "days_recorded": s.days_recorded,
        "min_days_required": s.min_days_required,
        "sufficient": s.sufficient,
        "headache_days": s.headache_days,
        "migraine_days": s.migraine_days,
        "moderate_severe_days": s.moderate_severe_days,
        "acute_medication_days": s.acute_medication_days,
        "triptan_or_ergot_days": s.triptan_or_ergot_days,
        "simple_or_nsaid_days": s.simple_or_nsaid_days,
        "multiple_class_days": s.multiple_class_days,
        "headache_days_per_30": s.headache_days_per_30,
        "migraine_days_per_30": s.migraine_days_per_30,
        "medication_days_by_class": {c: n for c, n in s.medication_days_by_class.items() if n},
        "headache_threshold_hours": threshold_hours,
    }


def months_for(patient: Patient) -> list[DiaryMonth]:
    return list(DiaryMonth.objects.filter(patient=patient).order_by("month"))


def this_month(patient: Patient, today: dt.date | None = None) -> engine.PeriodSummary:
    """Completeness and counts from the first of this month (or enrolment) to today."""
    today = today or timezone.localdate()
    start = max(month_start(today), patient.enrolled_on)
    if start > today:
        start = today
    return engine.summarize(
        days_between(patient, start, today),
        start,
        today,
        headache_threshold_hours=conf.headache_threshold_hours(),
    )


# ------------------------------------------------------------------------------------------ status, MOH


def moh_end(today: dt.date) -> dt.date:
    """Last day of the newest period the MOH verdict is judged on (3 full months ending on/before today)."""
    return engine.assessment_periods(today)[-1][2]


def medication_overuse(
    patient: Patient, today: dt.date | None = None, *, replace: engine.DiaryDay | None = None
) -> Verdict:
    """ICHD-3 8.2 verdict from the engine over the 3 full months ending on or before ``today``
    (``replace``: judge as if that day were already saved)."""
    today = today or timezone.localdate()
    periods = engine.assessment_periods(today)
    days = days_between(patient, periods[0][1], periods[-1][2])
    if replace is not None:
        days = [d for d in days if d.date != replace.date] + [replace]
    return engine.medication_overuse(days, today, headache_threshold_hours=conf.headache_threshold_hours())


def _touch_status(patient: Patient, day: dt.date, *, today: dt.date, moh: bool) -> None:
    """Bump the data version (chart cache key), keep the last day, and re-judge MOH when ``moh``."""
    values: dict[str, Any] = {
        "data_version": F("data_version") + 1,
        "last_entry_on": Case(
            When(Q(last_entry_on__isnull=True) | Q(last_entry_on__lt=day), then=Value(day)),
            default=F("last_entry_on"),
        ),
        "updated_at": timezone.now(),
    }
    # Judge the newer months if another process already did (see _save_counted).
    stored = DiaryStatus.objects.filter(patient=patient).values_list("moh_end", flat=True).first()
    end = moh_end(today)
    end = max(end, stored or end)
    verdict = medication_overuse(patient, end) if moh else None
    if verdict is not None:
        values.update(
            moh_status=verdict.status,
            moh_met=verdict.met,
            moh_end=end,
            moh_reasons=list(verdict.reasons),
        )
    if not DiaryStatus.objects.filter(patient=patient).update(**values):
        status = DiaryStatus(patient=patient, clinic_id=patient.clinic_id, data_version=1, last_entry_on=day)
        store_moh(status, verdict or medication_overuse(patient, today), moh_end(today))
        status.save()


def store_moh(status: DiaryStatus, verdict: Verdict, end: dt.date) -> None:
    status.moh_status = verdict.status
    status.moh_met = verdict.met
    status.moh_end = end
    status.moh_reasons = list(verdict.reasons)


def refresh_stale_moh(clinic_id: int, today: dt.date | None = None, *, limit: int | None = None) -> int:
    """Re-judge medication overuse for the clinic's patients whose stored verdict is for older months than
    today's judged ones (the months moved on and they have not saved a day since), from their stored
    month counts. A save racing this wins: a row is written only if its data version and judged months
    are still the ones read. Returns how many verdicts were brought up to date (at most ``limit``)."""
    today = today or timezone.localdate()
    end = moh_end(today)
    periods = engine.assessment_periods(today)
    stale = list(
        DiaryStatus.objects.filter(Q(moh_end__lt=end) | Q(moh_end__isnull=True), clinic_id=clinic_id)
        .order_by("id")
        .values("id", "patient_id", "data_version", "moh_end")[:limit]
    )
    if not stale:
        return 0
    ids = [s["patient_id"] for s in stale]
    months: dict[int, dict[dt.date, dict[str, Any]]] = {pid: {} for pid in ids}
    for m in DiaryMonth.objects.filter(patient_id__in=ids, month__in=[ps for _, ps, _ in periods]).values(
        "patient_id",
        "month",
        "period_start",
        "headache_threshold_hours",
        *MONTH_COUNTS,
        "medication_days_by_class",
    ):
        months[m["patient_id"]][m["month"]] = m
    verdicts = []
    for s in stale:
        verdict = _verdict_from_months(months[s["patient_id"]], periods)
        if verdict is None:  # enrolled mid-month, or counted with another threshold: judge on the days
            patient = Patient.objects.filter(pk=s["patient_id"]).first()
            if patient is None:
                continue
            verdict = medication_overuse(patient, today)
        verdicts.append((s, verdict))
    done = 0
    # One short transaction, taking the diary writers' turn on SQLite like a save does.
    with _write_turn(), transaction.atomic():
        for s, verdict in verdicts:
            done += DiaryStatus.objects.filter(
                id=s["id"], data_version=s["data_version"], moh_end=s["moh_end"]
            ).update(
                moh_status=verdict.status,
                moh_met=verdict.met,
                moh_end=end,
                moh_reasons=list(verdict.reasons),
            )
    return done


def data_version(patient: Patient) -> int:
    return DiaryStatus.objects.filter(patient=patient).values_list("data_version", flat=True).first() or 0


# ------------------------------------------------------------------------------------------ screens


def missing_days(patient: Patient, today: dt.date | None = None) -> list[dt.date]:
    """Unrecorded days the patient may still fill in, newest first (today is not 'missing' yet)."""
    today = today or timezone.localdate()
    start = earliest_allowed(patient, today)
    have = set(
        DiaryEntry.objects.filter(patient=patient, date__range=(start, today)).values_list("date", flat=True)
    )
    out = []
    d = today - dt.timedelta(days=1)
    while d >= start:
        if d not in have:
            out.append(d)
        d -= dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class CalendarCell:
    date: dt.date
    in_month: bool
    entry: DiaryEntry | None
    injected: bool
    editable: bool
    future: bool
    before_enrolment: bool

    @property
    def css(self) -> str:
        if not self.in_month:
            return "out"
        if self.future or self.before_enrolment:
            return "na"
        if self.entry is None:
            return "missing"
        return self.entry.day_class


def month_calendar(
    patient: Patient,
    month: dt.date,
    injections: Iterable[dt.date] = (),
    *,
    editable: bool,
    today: dt.date | None = None,
) -> list[list[CalendarCell]]:
    """Weeks (Monday first) of the month, each day with its entry, injection mark and editability."""
    today = today or timezone.localdate()
    first, last = month_start(month), month_end(month)
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    entries = {e.date: e for e in DiaryEntry.objects.filter(patient=patient, date__range=(first, last))}
    inj = set(injections)
    earliest = earliest_allowed(patient, today)
    weeks: list[list[CalendarCell]] = []
    d = grid_start
    while d <= grid_end:
        week = []
        for _ in range(7):
            week.append(
                CalendarCell(
                    date=d,
                    in_month=first <= d <= last,
                    entry=entries.get(d),
                    injected=d in inj,
                    editable=editable and earliest <= d <= today,
                    future=d > today,
                    before_enrolment=d < patient.enrolled_on,
                )
            )
            d += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


def parse_month(value: str | None, today: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` to the first of that month; anything else (or a future month) means this month."""
    today = today or timezone.localdate()
    try:
        y, m = (int(x) for x in (value or "").split("-", 1))
        d = dt.date(y, m, 1)
    except ValueError:
        return month_start(today)
    return min(d, month_start(today)) if d.year >= 1900 else month_start(today)


def shift_month(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


@dataclass(frozen=True)
class TrendRow:
    month: dt.date
    headache_days: int | None
    migraine_days: int | None
    days_recorded: int
    days_in_period: int
    headache_per_30: float | None
    migraine_per_30: float | None
    sufficient: bool
    in_progress: bool
    cycle: int  # 0 = baseline (before the first injection), n = after the n-th injection


def trend_rows(
    patient: Patient, injections: Sequence[dt.date], today: dt.date | None = None
) -> list[TrendRow]:
    """One row per month from the first diary month (or enrolment) to this month, gaps included."""
    today = today or timezone.localdate()
    months = {m.month: m for m in months_for(patient) if m.days_recorded}
    # From the first month with diary data (the baseline); months before it are just "not started".
    first = min(months) if months else month_start(today)
    first = max(first, month_start(patient.enrolled_on))
    rows: list[TrendRow] = []
    m = first
    inj = sorted(injections)
    while m <= month_start(today):
        r = months.get(m)
        cycle = sum(1 for d in inj if d <= month_end(m) and d < m + dt.timedelta(days=15))
        start, end = month_period(patient, m)
        rows.append(
            TrendRow(
                month=m,
                headache_days=r.headache_days if r else None,
                migraine_days=r.migraine_days if r else None,
                days_recorded=r.days_recorded if r else 0,
                days_in_period=(end - start).days + 1,
                headache_per_30=r.headache_days_per_30 if r else None,
                migraine_per_30=r.migraine_days_per_30 if r else None,
                sufficient=bool(r and r.sufficient),
                in_progress=m == month_start(today),
                cycle=cycle,
            )
        )
        m = shift_month(m, 1)
    return rows

"""Saving a diary day, one way: read what the save needs, plan every write (a pure step: the engine's
``replace_day`` for the month, the overuse verdict from the stored counts), then execute the plan in one
short transaction that claims the patient's diary status at the version read.

A save first plans from plain reads. If another save of the same patient lands between those reads and the
write, the claim fails, nothing is written, and the same read-plan-execute runs again with the patient's
rows locked (also the path of a patient's first save, which creates the status row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from toxinclinic.audit.services import diff, log_action, snapshot
from toxinclinic.clinical import diary as engine
from toxinclinic.clinical._common import Verdict
from toxinclinic.core.errors import Conflict
from toxinclinic.core.locking import write_turn
from toxinclinic.core.rawsql import Table
from toxinclinic.diary import conf
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.diary.months import (
    MONTH_READ,
    month_fields,
    month_period,
    month_start,
    month_summary,
    recount_month,
    to_engine_day,
)
from toxinclinic.diary.overuse import judge, judged_end, judged_months, store, verdict_columns
from toxinclinic.diary.signals import month_stored
from toxinclinic.diary.validation import BOOL_FIELDS, CleanDay
from toxinclinic.patients.models import Patient

_STATUS = Table(DiaryStatus, ["id", "data_version", "last_entry_on", "moh_end"])
_ENTRIES = Table(DiaryEntry)
_MONTHS = Table(DiaryMonth, MONTH_READ)


@dataclass(frozen=True)
class DayState:
    """What a save of one day reads: the patient's diary status (None before their first save), the day's
    stored entry, and the stored counts of the day's month and of the judged months."""

    status: dict[str, Any] | None
    old: DiaryEntry | None
    months: dict[dt.date, dict[str, Any]]
    end: dt.date


@dataclass
class SavePlan:
    """Every write of one save, decided before any is made."""

    entry: DiaryEntry
    created: bool
    entry_fields: list[str]
    action: str
    changes: dict[str, list[Any]]
    month: dt.date
    month_id: int | None
    month_values: dict[str, Any]
    status: dict[str, Any] | None
    status_values: dict[str, Any]
    verdict: Verdict | None
    end: dt.date
    recounted: bool = False  # the month was counted again from its days (not adjusted by one day)
    month_counted: bool = False  # the month is or was sufficient (what figures from sufficient months see)
    actor: Any = field(repr=False, default=None)


def read_state(patient: Patient, day: dt.date, today: dt.date, *, lock: bool = False) -> DayState:
    """The rows a save of ``day`` plans from. Plain model-shaped SELECTs (``core.rawsql``: this is the
    diary API's hot path). ``lock``: inside the caller's transaction, the ORM locks the patient's, status
    and entry rows first, in the order every save writes them."""
    with connection.cursor() as cur:
        if lock:
            # NO KEY UPDATE, so the foreign-key checks of another save's inserts (KEY SHARE on the
            # patient) never wait for it; PostgreSQL would otherwise deadlock a locked save with a
            # planned one.
            Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list("pk").first()
            DiaryStatus.objects.select_for_update(no_key=True).filter(patient_id=patient.pk).values_list(
                "pk"
            ).first()
            DiaryEntry.objects.select_for_update().filter(patient_id=patient.pk, date=day).values_list(
                "pk"
            ).first()
        found = _STATUS.select_joined(
            cur,
            ["patient_id"],
            [patient.pk],
            _ENTRIES,
            ("patient_id", "patient_id"),
            other_where=["date"],
            other_params=[day],
            outer=True,
        )
        if found is None:  # the patient's first save: no status row yet
            status, entry = None, _ENTRIES.select_one(cur, ["patient_id", "date"], [patient.pk, day])
        else:
            status, entry = found
        end = judged_end(today, status["moh_end"] if status else None)
        wanted = sorted({month_start(day), *judged_months(end)})
        months = {
            m["month"]: m for m in _MONTHS.select_in(cur, ["patient_id"], [patient.pk], "month", wanted)
        }
    return DayState(status, _ENTRIES.instance(entry) if entry else None, months, end)


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


def _month_after(
    patient: Patient, clean: CleanDay, k: engine.DayClass, state: DayState, threshold: float
) -> tuple[engine.PeriodSummary, bool]:
    """The day's month after the save: its stored counts adjusted by the one day that changed, or
    recounted from the days when they cannot be (first save, another enrolment date or headache threshold
    since, a day without its month, impossible counts)."""
    day = clean.day
    start, stop = month_period(patient, day.date)
    row = state.months.get(month_start(day.date))
    if state.status is not None:
        try:
            if row is not None and (
                row["period_start"],
                row["period_end"],
                row["headache_threshold_hours"],
            ) == (
                start,
                stop,
                threshold,
            ):
                # The old day as the month counted it: its inputs classified with the same threshold.
                before = engine.classify_day(to_engine_day(state.old), threshold) if state.old else None
                return engine.replace_day(month_summary(row, start, stop), before, k), False
            if row is None and state.old is None:
                return engine.replace_day(engine.summarize([], start, stop), None, k), False
        except ValueError:
            pass  # the stored counts are impossible or do not hold this day
    return recount_month(patient, day.date, replace=day), True


def plan_save(
    patient: Patient,
    clean: CleanDay,
    state: DayState,
    *,
    actor: Any,
    expected_version: int | None,
) -> SavePlan:
    """Decide every write of saving ``clean`` over ``state``. Writes nothing (reads days only when the
    stored counts cannot be adjusted). Raises :class:`Conflict` for a stale ``expected_version``."""
    day = clean.day
    old = state.old
    if old is not None and expected_version is not None and old.version != expected_version:
        raise Conflict(old.version)
    threshold = conf.headache_threshold_hours()
    k = engine.classify_day(day, threshold)
    month = month_start(day.date)
    summary, recounted = _month_after(patient, clean, k, state, threshold)
    counts = month_fields(summary, threshold)
    row = state.months.get(month)
    status = state.status
    # Only a write inside the judged months, or the first write after they moved on, changes the verdict.
    due = status is None or status["moh_end"] != state.end or day.date <= state.end
    verdict = judge(patient, state.end, {**state.months, month: counts}, replace=day) if due else None
    before = snapshot(old) if old is not None else None
    values = _entry_values(clean, k, actor)
    # A replacement writes only the columns that changed.
    changed = [a for a, v in values.items() if old is None or getattr(old, a) != v]
    entry = old or DiaryEntry(patient=patient, clinic_id=patient.clinic_id, date=day.date, version=0)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.version += 1
    last = status["last_entry_on"] if status else None
    return SavePlan(
        entry=entry,
        created=old is None,
        entry_fields=[*changed, "updated_at", "version"],
        action="diary.entry_replaced" if old is not None else "diary.entry_created",
        changes=diff(before, snapshot(entry)),
        month=month,
        month_id=row["id"] if row is not None else None,
        month_values={a: v for a, v in counts.items() if row is None or row[a] != v},
        status=status,
        status_values={"last_entry_on": max(last or day.date, day.date)},
        verdict=verdict,
        end=state.end,
        recounted=recounted,
        month_counted=bool(counts["sufficient"] or (row is not None and row["sufficient"])),
        actor=actor,
    )


def execute(patient: Patient, plan: SavePlan) -> bool:
    """Make the planned writes in one transaction (in the SQLite write turn). False, with nothing
    written, when the patient's diary status changed since it was read."""
    entry = plan.entry
    with write_turn(), transaction.atomic():
        if plan.status is None:
            assert plan.verdict is not None  # a first save always judges
            DiaryStatus.objects.create(
                patient=patient,
                clinic_id=patient.clinic_id,
                data_version=1,
                **plan.status_values,
                **verdict_columns(plan.verdict, plan.end),
            )
        elif not store(plan.status, plan.verdict, plan.end, bump=True, also=plan.status_values):
            return False
        changes = plan.changes
        if plan.created:
            entry.save(force_insert=True)
            changes = dict(sorted({**changes, "id": [None, entry.pk]}.items()))
        else:
            entry.save(update_fields=plan.entry_fields)
        log_action(plan.action, actor=plan.actor, obj=entry, changes=changes)
        if plan.month_id is None:
            DiaryMonth.objects.create(
                patient=patient, clinic_id=patient.clinic_id, month=plan.month, **plan.month_values
            )
        elif plan.month_values:
            DiaryMonth.objects.filter(id=plan.month_id).update(**plan.month_values, updated_at=timezone.now())
        if plan.month_id is None or plan.month_values:
            month_stored.send(
                sender=DiaryMonth, patient_id=patient.pk, month=plan.month, counted=plan.month_counted
            )
    return True


def save_day(
    patient: Patient,
    clean: CleanDay,
    *,
    actor: Any,
    expected_version: int | None = None,
) -> tuple[DiaryEntry, bool]:
    """Insert or replace the patient's row for ``clean.day.date`` (one row per day), classified by the
    engine, with the month's counts, the patient's diary status and the overuse verdict kept up to date
    and the change audited. Returns (entry, created). Raises :class:`Conflict` for a stale version."""
    today = timezone.localdate()
    day = clean.day.date
    state = read_state(patient, day, today)
    if state.status is not None:
        plan = plan_save(patient, clean, state, actor=actor, expected_version=expected_version)
        if execute(patient, plan):
            return plan.entry, plan.created
    for attempt in range(2):
        try:
            with write_turn(), transaction.atomic():
                state = read_state(patient, day, today, lock=True)
                plan = plan_save(patient, clean, state, actor=actor, expected_version=expected_version)
                if not execute(patient, plan):
                    raise AssertionError("the diary status changed under its row lock")
            return plan.entry, plan.created
        except IntegrityError:
            # Two first saves of one patient raced where rows cannot be locked first: retry as a replace.
            if attempt:
                raise
    raise AssertionError("unreachable")


def data_version(patient: Patient) -> int:
    """The patient's diary data version (a chart cache key): raised by every save."""
    return DiaryStatus.objects.filter(patient=patient).values_list("data_version", flat=True).first() or 0

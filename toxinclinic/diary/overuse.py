"""The medication-overuse verdict (ICHD-3 8.2) a clinician sees: one :func:`judge`, one :func:`store`.

The verdict is judged by the engine from the stored month counts (from the days when counts cannot stand
for a month: enrolled mid-month, another headache threshold, impossible counts), stored on the patient's
``DiaryStatus`` by a diary save or by the background refresh, and read from there by the screens and the
API. When the judged months move on (a new month began), a stored verdict is stale: the refresh task
re-judges it; a screen that finds one shows what the stored counts give, without writing, and queues the
task.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from toxinclinic.clinical import diary as engine
from toxinclinic.clinical._common import Verdict
from toxinclinic.core.locking import write_turn
from toxinclinic.diary import conf
from toxinclinic.diary.models import DiaryMonth, DiaryStatus
from toxinclinic.diary.months import MONTH_READ, days_between, month_summary
from toxinclinic.patients.models import Patient

log = logging.getLogger(__name__)

Months = Mapping[dt.date, Mapping[str, Any]]
_UNSET: Any = object()


def moh_end(today: dt.date) -> dt.date:
    """Last day of the newest period the verdict is judged on (3 full months ending on/before today)."""
    return engine.assessment_periods(today)[-1][2]


def judged_end(today: dt.date, stored_end: dt.date | None) -> dt.date:
    """The judged months' end for a save or refresh on ``today``: never older than the stored verdict's
    (a request that started before midnight at a month's end must not store the older months' verdict)."""
    end = moh_end(today)
    return max(end, stored_end or end)


def judged_months(end: dt.date) -> list[dt.date]:
    """The first days of the months judged for ``end``."""
    return [ps for _, ps, _ in engine.assessment_periods(end)]


def read_months(
    patient_ids: Iterable[int], months: Sequence[dt.date]
) -> dict[int, dict[dt.date, dict[str, Any]]]:
    """Stored month counts ``{patient id: {first of month: row}}`` for the given months."""
    out: dict[int, dict[dt.date, dict[str, Any]]] = {pid: {} for pid in patient_ids}
    rows = DiaryMonth.objects.filter(patient_id__in=list(out), month__in=months).values(
        "patient_id", *MONTH_READ
    )
    for m in rows:
        out[m["patient_id"]][m["month"]] = m
    return out


def _from_months(months: Months, end: dt.date) -> Verdict | None:
    """The verdict from stored month counts; None when a month's counts cannot stand for the whole
    calendar month or were made with another headache threshold, or are impossible."""
    threshold = conf.headache_threshold_hours()
    summaries = []
    try:
        for label, ps, pe in engine.assessment_periods(end):
            r = months.get(ps)
            if r is not None and (r["period_start"] != ps or r["headache_threshold_hours"] != threshold):
                return None
            summaries.append((label, month_summary(r, ps, pe) if r else engine.summarize([], ps, pe)))
    except ValueError:
        return None
    return engine.medication_overuse_from_summaries(summaries, headache_threshold_hours=threshold)


def medication_overuse(
    patient: Patient | int, today: dt.date | None = None, *, replace: engine.DiaryDay | None = None
) -> Verdict:
    """The verdict from the days themselves over the 3 full months ending on or before ``today``
    (``replace``: judge as if that day were already saved)."""
    today = today or timezone.localdate()
    periods = engine.assessment_periods(today)
    days = days_between(patient, periods[0][1], periods[-1][2])
    if replace is not None:
        days = [d for d in days if d.date != replace.date] + [replace]
    return engine.medication_overuse(days, today, headache_threshold_hours=conf.headache_threshold_hours())


def judge(
    patient: Patient | int,
    end: dt.date,
    months: Months | None = None,
    *,
    replace: engine.DiaryDay | None = None,
) -> Verdict:
    """The verdict over the 3 months ending ``end``: from stored month counts (``months``: ``{first of
    month: counts}``, read here when None), or from the days when those cannot stand for the months.
    ``replace``: a day being saved (its month's counts in ``months`` already hold it). Reads only."""
    pid = patient if isinstance(patient, int) else patient.pk
    if months is None:
        months = read_months([pid], judged_months(end))[pid]
    verdict = _from_months(months, end)
    if verdict is None:
        verdict = medication_overuse(patient, end, replace=replace)
    return verdict


def verdict_columns(verdict: Verdict, end: dt.date) -> dict[str, Any]:
    """A status row's columns holding ``verdict`` for the months ending ``end``."""
    return {
        "moh_status": verdict.status,
        "moh_met": verdict.met,
        "moh_end": end,
        "moh_reasons": list(verdict.reasons),
        "moh_periods": [
            {
                "label": p.label,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "status": p.status,
                "reasons": list(p.reasons),
            }
            for p in verdict.periods
        ],
    }


def store(
    status: Mapping[str, Any],
    verdict: Verdict | None,
    end: dt.date,
    *,
    bump: bool = False,
    if_end: Any = _UNSET,
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Write ``verdict`` (None: keep the stored one) to the status row read as ``status`` (``id``,
    ``data_version``) if nobody changed that row since: its data version (and, with ``if_end``, its
    judged months) are still the ones read. ``bump`` raises the data version (a diary save); ``also``:
    more columns. False: nothing written."""
    values: dict[str, Any] = {**(also or {}), "updated_at": timezone.now()}
    if verdict is not None:
        values.update(verdict_columns(verdict, end))
    if bump:
        values["data_version"] = F("data_version") + 1
    match: dict[str, Any] = {"id": status["id"], "data_version": status["data_version"]}
    if if_end is not _UNSET:
        match["moh_end"] = if_end
    return bool(DiaryStatus.objects.filter(**match).update(**values))


def _stale(clinic_id: int, end: dt.date) -> Any:
    return DiaryStatus.objects.filter(Q(moh_end__lt=end) | Q(moh_end__isnull=True), clinic_id=clinic_id)


def judge_stale(rows: Sequence[Mapping[str, Any]], end: dt.date) -> list[tuple[Mapping[str, Any], Verdict]]:
    """Verdicts for status rows (``patient_id`` …) judged on the months ending ``end``. Reads only."""
    stored = read_months([r["patient_id"] for r in rows], judged_months(end))
    return [(r, judge(r["patient_id"], end, stored[r["patient_id"]])) for r in rows]


def refresh_stale_moh(clinic_id: int, today: dt.date | None = None, *, limit: int | None = None) -> int:
    """Re-judge and store the clinic's verdicts stored for older months than today's judged ones (the
    months moved on and the patient has not saved a day since). A save racing this wins (see
    :func:`store`). Returns how many verdicts were brought up to date (at most ``limit``). Run by the
    background task ``diary.tasks.refresh_moh_flags``, never by a page view."""
    end = moh_end(today or timezone.localdate())
    rows = list(
        _stale(clinic_id, end).order_by("id").values("id", "patient_id", "data_version", "moh_end")[:limit]
    )
    if not rows:
        return 0
    judged = judge_stale(rows, end)
    done = 0
    # One short transaction, in the writers' turn on SQLite like a save.
    with write_turn(), transaction.atomic():
        for row, verdict in judged:
            done += store(row, verdict, end, if_end=row["moh_end"])
    return done


def queue_refresh(clinic_id: int) -> None:
    """Queue the background refresh of the clinic's stale verdicts (one queued per clinic at a time).
    Best effort: a busy database leaves it for the next screen that finds a stale verdict."""
    from toxinclinic.diary import tasks  # the task module imports the services

    key = f"diary:moh-refresh:{clinic_id}"
    if not cache.add(key, 1, 600):
        return
    try:
        tasks.refresh_moh_flags.enqueue(clinic_id)
    except OperationalError:
        cache.delete(key)
        log.warning("medication-overuse refresh not queued for clinic %s: database busy", clinic_id)
    except Exception:
        cache.delete(key)
        raise


@dataclass(frozen=True)
class ShownVerdict:
    """The verdict a screen shows: ``stored`` False when the stored one was stale and this one was judged
    from the stored counts for the screen (the background task stores it)."""

    status: str
    met: bool
    reasons: list[str]
    periods: list[dict[str, Any]]
    end: dt.date
    stored: bool


_SHOWN = (
    "id",
    "patient_id",
    "data_version",
    "moh_status",
    "moh_met",
    "moh_end",
    "moh_reasons",
    "moh_periods",
)


def _shown(verdict: Verdict, end: dt.date) -> ShownVerdict:
    c = verdict_columns(verdict, end)
    return ShownVerdict(c["moh_status"], c["moh_met"], c["moh_reasons"], c["moh_periods"], end, False)


def verdict_for(patient: Patient, today: dt.date | None = None) -> ShownVerdict:
    """The stored verdict for ``patient``; when stale or never stored, judged from the stored counts for
    this screen (reads only) and the refresh queued."""
    end = moh_end(today or timezone.localdate())
    row = DiaryStatus.objects.filter(patient=patient).values(*_SHOWN).first()
    if row is not None and row["moh_end"] is not None and row["moh_end"] >= end and row["moh_status"]:
        return ShownVerdict(
            row["moh_status"], row["moh_met"], row["moh_reasons"], row["moh_periods"], row["moh_end"], True
        )
    if row is not None:
        queue_refresh(patient.clinic_id)
    return _shown(judge(patient, end), end)


def flagged_for_clinic(
    clinic_id: int, today: dt.date | None = None, *, judge_limit: int = 200
) -> dict[str, Any]:
    """The clinic's patients whose verdict is met for the current judged months: ``{"end", "patient_ids"
    (met), "unchecked" (stale verdicts beyond ``judge_limit`` not judged for this screen)}``. Stale verdicts
    are judged from stored counts without writing (up to ``judge_limit``) and the refresh is queued."""
    end = moh_end(today or timezone.localdate())
    met = set(
        DiaryStatus.objects.filter(clinic_id=clinic_id, moh_met=True, moh_end__gte=end).values_list(
            "patient_id", flat=True
        )
    )
    stale = list(
        _stale(clinic_id, end)
        .order_by("id")
        .values("id", "patient_id", "data_version", "moh_end")[: judge_limit + 1]
    )
    unchecked = 0
    if stale:
        queue_refresh(clinic_id)
        if len(stale) > judge_limit:
            unchecked = _stale(clinic_id, end).count() - judge_limit
            stale = stale[:judge_limit]
        met |= {row["patient_id"] for row, v in judge_stale(stale, end) if v.met}
    return {"end": end, "patient_ids": met, "unchecked": unchecked}

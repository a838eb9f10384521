"""Is treatment working? The diary before the first injection compared with the last 28 days.

The headline the patient and the clinic read (clinical reference §1; PREEMPT and the IHS 2018 trial
guidelines use a 28-day baseline and report change in headache days per 28 days):

* **baseline** — the diary before the first botulinum-toxin session: at least ``baseline_min_days``
  (default 28) calendar days, and at most ``baseline_max_days`` (default 90) ending the day before that
  session;
* **recent** — the last ``recent_days`` (default 28) calendar days ending today, all after the first session;
* each window's headache days, migraine days and acute-medication days per 28 recorded days (so a window
  with a few unrecorded days compares fairly), and the change from baseline in percent.

A window that has fewer recorded days than the completeness rule asks (20 of 28, scaled) is reported but
not compared: a percentage from a half-empty diary would claim more than the diary shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ._common import check_date, check_int
from .diary import (
    DEFAULT_HEADACHE_THRESHOLD_HOURS,
    DEFAULT_MIN_RECORDED_PER_28,
    DiaryDay,
    PeriodSummary,
    summarize,
)

#: The headline's statuses.
COMPARED = "compared"
NO_SESSION = "no_session"  # no injection yet: there is nothing to compare with
BASELINE_TOO_SHORT = "baseline_too_short"  # the diary began less than the minimum before the first session
TOO_SOON = "too_soon"  # the first session was less than ``recent_days`` ago
INSUFFICIENT_DATA = "insufficient_data"  # a window has too few recorded days

MEASURES: tuple[tuple[str, str], ...] = (
    ("headache_days", "headache days"),
    ("migraine_days", "migraine days"),
    ("acute_medication_days", "days with acute medicine"),
)


@dataclass(frozen=True)
class Measure:
    """One measure in both windows: counts per 28 recorded days, and the change in percent (negative is
    fewer days; None when the baseline had none of them, or a window was not compared)."""

    key: str
    label: str
    baseline_per_28: float | None
    recent_per_28: float | None
    change_pct: float | None


@dataclass(frozen=True)
class Headline:
    status: str
    baseline: PeriodSummary | None
    recent: PeriodSummary | None
    measures: tuple[Measure, ...]
    reasons: tuple[str, ...]

    @property
    def compared(self) -> bool:
        return self.status == COMPARED


def _change(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / before * 100, 1)


def baseline_vs_recent(
    days: Iterable[DiaryDay],
    first_session: date | None,
    today: date,
    *,
    diary_start: date | None = None,
    baseline_min_days: int = 28,
    baseline_max_days: int = 90,
    recent_days: int = 28,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Headline:
    """The headline for one patient's diary ``days`` (any order; days outside both windows are ignored).

    ``first_session``: date of the first botulinum-toxin session (None: not treated yet).
    ``diary_start``: the first day the diary could hold (enrolment), so a baseline that began later than
    the minimum is reported as too short rather than as unrecorded days.
    """
    check_date(today, "today")
    check_int(baseline_min_days, "baseline_min_days", 1, 366, "days")
    check_int(baseline_max_days, "baseline_max_days", baseline_min_days, 366, "days")
    check_int(recent_days, "recent_days", 1, 366, "days")
    days = list(days)
    limits = {
        "headache_threshold_hours": headache_threshold_hours,
        "min_recorded_per_28": min_recorded_per_28,
    }
    recent_start = today - timedelta(days=recent_days - 1)
    if first_session is None:
        recent = summarize(days, recent_start, today, **limits)
        return Headline(NO_SESSION, None, recent, _measures(None, recent, False), ("no injection yet",))
    check_date(first_session, "first_session")
    if first_session > today:
        raise ValueError(f"first_session: {first_session.isoformat()} is after today {today.isoformat()}")
    base_end = first_session - timedelta(days=1)
    earliest = min((d.date for d in days if d.date <= base_end), default=None)
    if diary_start is not None:
        check_date(diary_start, "diary_start")
        earliest = diary_start if earliest is None else min(earliest, diary_start)
    base_start = max(earliest or first_session, first_session - timedelta(days=baseline_max_days))
    reasons: list[str] = []
    status = COMPARED
    baseline = None
    if (first_session - base_start).days < baseline_min_days:
        status = BASELINE_TOO_SHORT
        reasons.append(
            f"the diary before the first session covers {(first_session - base_start).days} days "
            f"(at least {baseline_min_days} needed)"
        )
        if base_start <= base_end:
            baseline = summarize(days, base_start, base_end, **limits)
    else:
        baseline = summarize(days, base_start, base_end, **limits)
        if not baseline.sufficient:
            status = INSUFFICIENT_DATA
            reasons.append(
                f"baseline: {baseline.days_recorded} of {baseline.days_in_period} days recorded "
                f"({baseline.min_days_required} needed)"
            )
    if recent_start < first_session:
        recent = summarize(days, first_session, today, **limits)
        if status in (COMPARED, INSUFFICIENT_DATA):  # waiting is the answer, whatever the baseline holds
            status = TOO_SOON
        reasons.append(
            f"the first session was {(today - first_session).days} days ago; "
            f"the comparison needs {recent_days} days after it"
        )
    else:
        recent = summarize(days, recent_start, today, **limits)
        if not recent.sufficient:
            if status == COMPARED:
                status = INSUFFICIENT_DATA
            reasons.append(
                f"last {recent_days} days: {recent.days_recorded} of {recent.days_in_period} days recorded "
                f"({recent.min_days_required} needed)"
            )
    measures = _measures(baseline, recent, status == COMPARED)
    if status == COMPARED:
        for m in measures:
            if m.change_pct is None:
                reasons.append(f"{m.label}: none at baseline, {m.recent_per_28:.1f} per 28 days now")
            else:
                reasons.append(
                    f"{m.label}: {m.baseline_per_28:.1f} per 28 days before treatment, "
                    f"{m.recent_per_28:.1f} in the last {recent_days} days ({m.change_pct:+.1f}%)"
                )
    return Headline(status, baseline, recent, measures, tuple(reasons))


def _measures(
    baseline: PeriodSummary | None, recent: PeriodSummary | None, compare: bool
) -> tuple[Measure, ...]:
    out = []
    for key, label in MEASURES:
        b = getattr(baseline, f"{key}_per_28") if baseline is not None else None
        r = getattr(recent, f"{key}_per_28") if recent is not None else None
        out.append(Measure(key, label, b, r, _change(b, r) if compare else None))
    return tuple(out)

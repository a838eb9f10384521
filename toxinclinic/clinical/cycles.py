"""Treatment cycles: boundaries, per-cycle figures from stored month counts, and the verdict at each end.

A **cycle** runs from one signed session to the day before the next (the last one to today). What is
counted in it (clinical reference §1, §2, §7):

* **diary** — stored calendar-month counts, never diary days: a month belongs to the cycle of the last
  session given on or before its 15th (:func:`diary.cycle_of_month`, the rule the diary's trend chart
  already uses), so most of the month lies after that session. Only months the diary judged
  *sufficient* (>= 20 of 28 days recorded, scaled) are counted; a cycle's headache and migraine days are
  its sufficient months' counts **per 30 recorded days** (sum of days × 30 / sum of recorded days);
* **baseline** — the same figures over every sufficient month before the first session's cycle;
* **questionnaires** — a response answered on day ``d`` belongs to the cycle of the last session
  *before* ``d`` (a pre-injection form filled in on the injection day closes the cycle that ends
  there); a cycle's score is the mean of its totals;
* **recall** — the window after a session opens ``interval_days`` (84) later; the next session is
  *early* before it opens, *on time* within ``grace_days`` (14) after it opens, *late* after that;
* **verdict** (chronic migraine) — :func:`eligibility.continuation` (AHS 2021), never re-implemented
  here, with the cycle's headache days against baseline and HIT-6/MIDAS against their baseline.
  Cervical dystonia has no continuation rule in the engine: the change in TWSTRS is reported, not judged.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import eligibility
from ._common import Verdict, check_date, check_int
from .diary import cycle_of_month, month_start

MIGRAINE = "chronic_migraine"
DYSTONIA = "cervical_dystonia"
DEFAULT_GRACE_DAYS = 14

#: Recall outcomes of a cycle.
EARLY, ON_TIME, LATE, PENDING, OVERDUE = "early", "on_time", "late", "pending", "overdue"
RECALL_LABELS = {
    EARLY: "next session before the window opened",
    ON_TIME: "next session inside the window",
    LATE: "next session after the window",
    PENDING: "window not open yet",
    OVERDUE: "window open, no session yet",
}


@dataclass(frozen=True)
class MonthCounts:
    """One stored diary month (``month`` = its first day). Counts are recorded days."""

    month: date
    days_in_period: int
    days_recorded: int
    headache_days: int
    migraine_days: int
    sufficient: bool


@dataclass(frozen=True)
class Score:
    """One questionnaire total (``instrument``: midas, hit6, twstrs, pain_nrs, …) answered on ``on``."""

    instrument: str
    on: date
    total: float


@dataclass(frozen=True)
class Counts:
    """Summed sufficient months of one cycle (0 = baseline): what the per-cycle figures come from. The
    clinic report gets these from the database; a patient's timeline from :func:`counts_by_cycle`."""

    months: int = 0
    days_recorded: int = 0
    headache_days: int = 0
    migraine_days: int = 0

    @property
    def headache_per_30(self) -> float | None:
        return per_30(self.headache_days, self.days_recorded)

    @property
    def migraine_per_30(self) -> float | None:
        return per_30(self.migraine_days, self.days_recorded)


def per_30(count: int, recorded: int) -> float | None:
    """Days per 30 recorded days, rounded to 0.1 (None when nothing was recorded)."""
    return round(count * 30 / recorded, 1) if recorded else None


def counts_by_cycle(months: Iterable[MonthCounts], sessions: Sequence[date]) -> dict[int, Counts]:
    """Sufficient months summed per cycle (0 = baseline) by :func:`diary.cycle_of_month`."""
    acc: dict[int, list[int]] = {}
    for m in months:
        if not m.sufficient:
            continue
        n = cycle_of_month(m.month, sessions)
        a = acc.setdefault(n, [0, 0, 0, 0])
        a[0] += 1
        a[1] += m.days_recorded
        a[2] += m.headache_days
        a[3] += m.migraine_days
    return {n: Counts(*a) for n, a in acc.items()}


def score_cycle(on: date, sessions: Sequence[date]) -> int:
    """The cycle a questionnaire answered on ``on`` belongs to: sessions strictly before that day."""
    return sum(1 for d in sessions if d < on)


def mean_scores(scores: Iterable[Score], sessions: Sequence[date]) -> dict[tuple[int, str], float]:
    """Mean total per (cycle, instrument), rounded to 0.1."""
    acc: dict[tuple[int, str], list[float]] = {}
    for s in scores:
        acc.setdefault((score_cycle(s.on, sessions), s.instrument), []).append(float(s.total))
    return {k: round(sum(v) / len(v), 1) for k, v in acc.items()}


@dataclass(frozen=True)
class Recall:
    status: str
    opens: date
    next_session: date | None
    days_after_opening: int | None

    @property
    def label(self) -> str:
        return RECALL_LABELS[self.status]


def recall_outcome(
    start: date, next_session: date | None, today: date, *, interval_days: int, grace_days: int
) -> Recall:
    opens = start + timedelta(days=interval_days)
    if next_session is None:
        return Recall(OVERDUE if today >= opens else PENDING, opens, None, None)
    late_by = (next_session - opens).days
    status = EARLY if late_by < 0 else ON_TIME if late_by <= grace_days else LATE
    return Recall(status, opens, next_session, late_by)


@dataclass(frozen=True)
class Cycle:
    """Cycle ``number`` (1 = after the first session), ``start``..``end`` inclusive."""

    number: int
    start: date
    end: date
    current: bool
    counts: Counts
    scores: dict[str, float]
    recall: Recall
    headache_change: float | None  # per 30 days, negative = fewer than baseline
    headache_reduction_pct: float | None  # positive = fewer than baseline
    verdict: Verdict | None
    score_changes: dict[str, float] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Timeline:
    indication: str
    baseline: Counts
    baseline_scores: dict[str, float]
    usable_baseline: bool
    cycles: tuple[Cycle, ...]
    reasons: tuple[str, ...]


def reduction_pct(baseline: float | None, now: float | None) -> float | None:
    """Percent fewer days than baseline (the continuation rule's own rounding); None without a baseline."""
    if baseline is None or now is None or baseline <= 0:
        return None
    return round((baseline - now) / baseline * 100, 1)


def _verdict(
    base: Counts, counts: Counts, n: int, base_scores: dict[str, float], scores: dict[str, float]
) -> Verdict | None:
    b, a = base.headache_per_30, counts.headache_per_30
    if b is None or a is None or b <= 0:
        return None

    def pair(key: str, lo: int, hi: int) -> tuple[int, int] | None:
        if key in base_scores and key in scores:
            return (
                min(hi, max(lo, round(base_scores[key]))),
                min(hi, max(lo, round(scores[key]))),
            )
        return None

    # continuation() normalises nothing itself: both figures are per 30 recorded days.
    return eligibility.continuation(
        min(b, 31.0), min(a, 31.0), n, midas=pair("midas", 0, 450), hit6=pair("hit6", 36, 78)
    )


def timeline(
    indication: str,
    sessions: Sequence[date],
    months: Iterable[MonthCounts],
    scores: Iterable[Score],
    today: date,
    *,
    interval_days: int = 84,
    grace_days: int = DEFAULT_GRACE_DAYS,
    counts: dict[int, Counts] | None = None,
) -> Timeline:
    """Every cycle of one patient, oldest first. ``sessions`` are the signed session dates; ``counts``
    may be given pre-summed (the clinic report's path) instead of ``months``."""
    check_date(today, "today")
    check_int(interval_days, "interval_days", 1, 365, "days")
    dates = sorted(check_date(d, "session") for d in sessions)
    by_cycle = counts if counts is not None else counts_by_cycle(months, dates)
    sc = mean_scores(scores, dates)
    base = by_cycle.get(0, Counts())
    base_scores = {k: v for (n, k), v in sc.items() if n == 0}
    reasons: list[str] = []
    if indication == MIGRAINE:
        usable = base.headache_per_30 is not None
        reasons.append(
            f"baseline: {base.headache_per_30:g} headache days per 30 days from {base.months} "
            f"complete diary month{'s' if base.months != 1 else ''}"
            if usable
            else "no usable baseline: no complete diary month before the first session"
        )
    else:
        usable = "twstrs" in base_scores
        reasons.append(
            f"baseline: TWSTRS {base_scores['twstrs']:g}"
            if usable
            else "no usable baseline: no TWSTRS answered before the first session"
        )
    cycles: list[Cycle] = []
    for i, start in enumerate(dates):
        n = i + 1
        nxt = dates[i + 1] if i + 1 < len(dates) else None
        end = (nxt - timedelta(days=1)) if nxt else max(today, start)
        c = by_cycle.get(n, Counts())
        scores_n = {k: v for (m, k), v in sc.items() if m == n}
        changes = {k: round(v - base_scores[k], 1) for k, v in scores_n.items() if k in base_scores}
        hd = c.headache_per_30
        verdict = _verdict(base, c, n, base_scores, scores_n) if indication == MIGRAINE else None
        cycles.append(
            Cycle(
                number=n,
                start=start,
                end=end,
                current=nxt is None,
                counts=c,
                scores=scores_n,
                recall=recall_outcome(start, nxt, today, interval_days=interval_days, grace_days=grace_days),
                headache_change=(
                    round(hd - base.headache_per_30, 1)
                    if hd is not None and base.headache_per_30 is not None
                    else None
                ),
                headache_reduction_pct=reduction_pct(base.headache_per_30, hd),
                verdict=verdict,
                score_changes=changes,
            )
        )
    if not dates:
        reasons.append("no signed session yet")
    return Timeline(indication, base, base_scores, usable, tuple(cycles), tuple(reasons))


#: Questionnaires the clinic report compares with baseline, per indication (others: none).
REPORTED_SCORES = {MIGRAINE: ("hit6", "midas"), DYSTONIA: ("twstrs", "pain_nrs")}


@dataclass(frozen=True)
class CycleOutcome:
    """What the clinic report counts of one session's cycle (stored per session when its facts change).

    ``number`` counts the patient's sessions on or before this one's day (a same-day pair shares the
    higher number). ``has_baseline``: chronic migraine — a headache rate from sufficient months before the
    first session; otherwise a TWSTRS answered before it. Without one, nothing else is counted. Changes
    are cycle − baseline rounded to 0.1 (days per 30 recorded days, or the scale's points), None when
    either side is missing; ``reduction_pct`` is percent fewer headache days (:func:`reduction_pct`).
    """

    number: int
    has_baseline: bool
    headache_change: float | None = None
    migraine_change: float | None = None
    reduction_pct: float | None = None
    score_changes: dict[str, float] = field(default_factory=dict)

    def responder(self, threshold_pct: float) -> bool | None:
        """At least ``threshold_pct`` percent fewer headache days than baseline (None: no figure)."""
        return None if self.reduction_pct is None else self.reduction_pct >= threshold_pct


def cycle_outcomes(
    sessions: Sequence[tuple[date, str]], months: Iterable[MonthCounts], scores: Iterable[Score]
) -> list[CycleOutcome]:
    """One :class:`CycleOutcome` per ``(injected_on, indication)`` session, in the order given, with
    every session of the patient counted for the cycle numbers, months and questionnaires."""
    dates = sorted(d for d, _ in sessions)
    by_cycle = counts_by_cycle(months, dates)
    sc = mean_scores(scores, dates)
    base = by_cycle.get(0, Counts())
    out = []
    for on, indication in sessions:
        n = bisect_right(dates, on)
        c = by_cycle.get(n, Counts())
        hd = md = red = None
        if indication == MIGRAINE:
            b, a = base.headache_per_30, c.headache_per_30
            if b is None:
                out.append(CycleOutcome(n, False))
                continue
            if a is not None:
                hd, red = round(a - b, 1), reduction_pct(b, a)
                bm, am = base.migraine_per_30, c.migraine_per_30
                if bm is not None and am is not None:
                    md = round(am - bm, 1)
        elif (0, "twstrs") not in sc:
            out.append(CycleOutcome(n, False))
            continue
        changes = {}
        for key in REPORTED_SCORES.get(indication, ()):
            before, after = sc.get((0, key)), sc.get((n, key))
            if before is not None and after is not None:
                changes[key] = round(after - before, 1)
        out.append(CycleOutcome(n, True, hd, md, red, changes))
    return out


def months_in(start: date, end: date) -> list[date]:
    """First days of the calendar months touching ``[start, end]`` (for charts)."""
    out, m = [], month_start(start)
    while m <= end:
        out.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return out

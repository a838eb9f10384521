"""Period summaries (a month or a 28-day block) and the assessment periods a diagnosis is judged on."""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from .._common import PeriodResult, Verdict, check_choice, check_date
from .days import (
    DEFAULT_HEADACHE_THRESHOLD_HOURS,
    DEFAULT_MIN_RECORDED_PER_28,
    MEDICATION_CLASSES,
    MULTIPLE_CLASSES,
    SIMPLE_OR_NSAID,
    DayClass,
    DiaryDay,
    classify_day,
)

PERIOD_MODES = ("calendar_months", "28_day")


@dataclass(frozen=True)
class PeriodSummary:
    """Counts for one period ``[start, end]`` (inclusive calendar days).

    Raw counts are of *recorded* days. ``*_per_28`` = ``count × 28 / days_recorded`` (trial convention) and
    ``*_per_30`` = ``count × 30 / days_recorded``; both are None when nothing was recorded.
    ``sufficient`` means ``days_recorded >= min_days_required`` (default 20 of 28 days scaled to the
    period length and rounded up: 28 d → 20, 30 d → 22, 31 d → 23).
    """

    start: date
    end: date
    days_in_period: int
    days_recorded: int
    completeness: float
    min_days_required: int
    sufficient: bool
    headache_days: int
    migraine_days: int
    moderate_severe_days: int
    acute_medication_days: int
    triptan_or_ergot_days: int
    simple_or_nsaid_days: int
    multiple_class_days: int
    medication_days_by_class: dict[str, int]
    headache_days_per_28: float | None
    migraine_days_per_28: float | None
    moderate_severe_days_per_28: float | None
    acute_medication_days_per_28: float | None
    headache_days_per_30: float | None
    migraine_days_per_30: float | None
    moderate_severe_days_per_30: float | None
    acute_medication_days_per_30: float | None
    medication_days_by_class_per_28: dict[str, float | None]
    medication_days_by_class_per_30: dict[str, float | None]

    __hash__ = None  # type: ignore[assignment]

    @property
    def unrecorded_days(self) -> int:
        return self.days_in_period - self.days_recorded


def normalise(count: int, days_recorded: int, to_days: int = 28) -> float | None:
    """``count × to_days / days_recorded`` (None when nothing was recorded)."""
    if days_recorded <= 0:
        return None
    return count * to_days / days_recorded


def fmt_rate(v: float | None) -> str:
    """A normalised count for messages ("n/a" when nothing was recorded)."""
    return "n/a" if v is None else f"{v:.1f}"


@functools.lru_cache(maxsize=1024)
def min_days_required(days_in_period: int, min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28) -> int:
    """Completeness threshold scaled to the period length, rounded up (exact rational arithmetic)."""
    return math.ceil(Fraction(str(min_recorded_per_28)) * days_in_period / 28)


def _check_period(start: date, end: date) -> int:
    check_date(start, "start")
    check_date(end, "end")
    if end < start:
        raise ValueError(f"end: {end.isoformat()} is before start {start.isoformat()}")
    return (end - start).days + 1


def _make_summary(
    start: date,
    end: date,
    recorded: int,
    headache: int,
    migraine: int,
    modsev: int,
    acute: int,
    te: int,
    simple: int,
    multiple: int,
    by_class: Sequence[int],
    min_recorded_per_28: float,
) -> PeriodSummary:
    n = (end - start).days + 1
    need = min_days_required(n, min_recorded_per_28)
    cls = {c: int(by_class[i]) for i, c in enumerate(MEDICATION_CLASSES)}
    return PeriodSummary(
        start=start,
        end=end,
        days_in_period=n,
        days_recorded=recorded,
        completeness=recorded / n,
        min_days_required=need,
        sufficient=recorded >= need,
        headache_days=headache,
        migraine_days=migraine,
        moderate_severe_days=modsev,
        acute_medication_days=acute,
        triptan_or_ergot_days=te,
        simple_or_nsaid_days=simple,
        multiple_class_days=multiple,
        medication_days_by_class=cls,
        headache_days_per_28=normalise(headache, recorded),
        migraine_days_per_28=normalise(migraine, recorded),
        moderate_severe_days_per_28=normalise(modsev, recorded),
        acute_medication_days_per_28=normalise(acute, recorded),
        headache_days_per_30=normalise(headache, recorded, 30),
        migraine_days_per_30=normalise(migraine, recorded, 30),
        moderate_severe_days_per_30=normalise(modsev, recorded, 30),
        acute_medication_days_per_30=normalise(acute, recorded, 30),
        medication_days_by_class_per_28={c: normalise(v, recorded) for c, v in cls.items()},
        medication_days_by_class_per_30={c: normalise(v, recorded, 30) for c, v in cls.items()},
    )


def summarize(
    days: Iterable[DiaryDay],
    start: date,
    end: date,
    *,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> PeriodSummary:
    """Summarise the diary days falling in ``[start, end]``; days outside are ignored entirely.

    Raises ValueError when ``end`` is before ``start`` or two records in the period share a date.
    """
    _check_period(start, end)
    seen: set[date] = set()
    counts = [0] * 8
    by_class = [0] * len(MEDICATION_CLASSES)
    for day in days:
        if not isinstance(day, DiaryDay):
            raise ValueError(f"days: {day!r} is not a DiaryDay")
        if not (start <= day.date <= end):
            continue
        if day.date in seen:
            raise ValueError(f"days: {day.date.isoformat()} is recorded twice (one record per day)")
        seen.add(day.date)
        dc, dm = _day_counts(classify_day(day, headache_threshold_hours))
        counts = [a + b for a, b in zip(counts, dc, strict=True)]
        by_class = [a + b for a, b in zip(by_class, dm, strict=True)]
    return _make_summary(start, end, *counts, by_class, min_recorded_per_28)


#: The day counts of a :class:`PeriodSummary` that :func:`period_summary` rebuilds it from (besides
#: ``medication_days_by_class``).
COUNT_FIELDS: tuple[str, ...] = (
    "days_recorded",
    "headache_days",
    "migraine_days",
    "moderate_severe_days",
    "acute_medication_days",
    "triptan_or_ergot_days",
    "simple_or_nsaid_days",
    "multiple_class_days",
)


def _check_count(value: int, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ValueError(f"{name}: {value!r} is not a whole number of days from 0 to {limit}")
    return value


def period_summary(
    start: date,
    end: date,
    *,
    days_recorded: int,
    headache_days: int,
    migraine_days: int,
    moderate_severe_days: int,
    acute_medication_days: int,
    triptan_or_ergot_days: int,
    simple_or_nsaid_days: int,
    multiple_class_days: int,
    medication_days_by_class: Mapping[str, int],
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> PeriodSummary:
    """A summary rebuilt from stored day counts for ``[start, end]`` (e.g. a month kept up to date one day
    at a time with :func:`replace_day`); identical to :func:`summarize` over the same days.

    Raises ValueError when a count is negative, exceeds ``days_recorded``, or ``days_recorded`` exceeds the
    period; or a medication class is unknown.
    """
    n = _check_period(start, end)
    recorded = _check_count(days_recorded, "days_recorded", n)
    counts = [
        _check_count(v, name, recorded)
        for name, v in (
            ("headache_days", headache_days),
            ("migraine_days", migraine_days),
            ("moderate_severe_days", moderate_severe_days),
            ("acute_medication_days", acute_medication_days),
            ("triptan_or_ergot_days", triptan_or_ergot_days),
            ("simple_or_nsaid_days", simple_or_nsaid_days),
            ("multiple_class_days", multiple_class_days),
        )
    ]
    for c in medication_days_by_class:
        check_choice(c, "medication_days_by_class", MEDICATION_CLASSES)
    by_class = [
        _check_count(medication_days_by_class.get(c, 0), f"medication_days_by_class[{c}]", recorded)
        for c in MEDICATION_CLASSES
    ]
    return _make_summary(start, end, recorded, *counts, by_class, min_recorded_per_28)


def _day_counts(k: DayClass) -> tuple[list[int], list[int]]:
    meds = k.medication_classes
    counts = [
        1,
        k.headache_day,
        k.migraine_day,
        k.moderate_severe_day,
        k.acute_medication_day,
        k.triptan_or_ergot_day,
        bool(meds & SIMPLE_OR_NSAID),
        not meds.isdisjoint(MULTIPLE_CLASSES),
    ]
    return [int(x) for x in counts], [int(c in meds) for c in MEDICATION_CLASSES]


def replace_day(
    s: PeriodSummary,
    old: DayClass | None,
    new: DayClass | None,
    *,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> PeriodSummary:
    """The summary after one day's record changes: added (``old`` None), replaced, or removed (``new``
    None). ``old`` must be how that day was counted in ``s``. Equal to re-running :func:`summarize` over
    the changed days, without reading the other days of the period.

    Raises ValueError when a day lies outside ``[s.start, s.end]``, ``old`` and ``new`` are different
    dates, or removing ``old`` would make a count negative (``old`` was not counted in ``s``).
    """
    for name, k in (("old", old), ("new", new)):
        if k is not None and not (s.start <= k.date <= s.end):
            raise ValueError(
                f"{name}: {k.date.isoformat()} is outside the period "
                f"{s.start.isoformat()} to {s.end.isoformat()}"
            )
    if old is not None and new is not None and old.date != new.date:
        raise ValueError(f"new: {new.date.isoformat()} replaces a different day ({old.date.isoformat()})")
    counts = [
        s.days_recorded,
        s.headache_days,
        s.migraine_days,
        s.moderate_severe_days,
        s.acute_medication_days,
        s.triptan_or_ergot_days,
        s.simple_or_nsaid_days,
        s.multiple_class_days,
    ]
    by_class = [s.medication_days_by_class.get(c, 0) for c in MEDICATION_CLASSES]
    for k, sign in ((old, -1), (new, 1)):
        if k is None:
            continue
        dc, dm = _day_counts(k)
        counts = [a + sign * b for a, b in zip(counts, dc, strict=True)]
        by_class = [a + sign * b for a, b in zip(by_class, dm, strict=True)]
    if min(counts + by_class) < 0:
        raise ValueError(f"old: {old.date.isoformat() if old else ''} was not counted in this summary")
    return _make_summary(s.start, s.end, *counts, by_class, min_recorded_per_28)


# ------------------------------------------------------------------------------ multi-period verdicts


def assessment_periods(
    end: date, mode: str = "calendar_months", count: int = 3
) -> list[tuple[str, date, date]]:
    """The ``count`` periods a diagnosis is judged on, oldest first, as ``(label, start, end)``.

    ``calendar_months``: the full months ending on or before ``end`` (``end``'s own month counts only if
    ``end`` is its last day). ``28_day``: consecutive 28-day blocks, the last ending on ``end``.
    """
    check_date(end, "end")
    check_choice(mode, "periods", PERIOD_MODES)
    out: list[tuple[str, date, date]] = []
    if mode == "28_day":
        for i in range(count - 1, -1, -1):
            pe = end - timedelta(days=28 * i)
            ps = pe - timedelta(days=27)
            out.append((f"{ps.isoformat()} to {pe.isoformat()}", ps, pe))
        return out
    y, m = end.year, end.month
    if end.day != calendar.monthrange(y, m)[1]:
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    for _ in range(count):
        out.append((f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


PeriodRule = Callable[[PeriodSummary], tuple[bool, list[str]]]


def period_summaries(
    days: Iterable[DiaryDay],
    end: date,
    *,
    periods: str = "calendar_months",
    count: int = 3,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> list[tuple[str, PeriodSummary]]:
    """``(label, summary)`` of each assessment period ending at ``end`` (see :func:`assessment_periods`)."""
    days = list(days)
    return [
        (
            label,
            summarize(
                days,
                ps,
                pe,
                headache_threshold_hours=headache_threshold_hours,
                min_recorded_per_28=min_recorded_per_28,
            ),
        )
        for label, ps, pe in assessment_periods(end, periods, count)
    ]


def evaluate_periods(
    days: Sequence[DiaryDay],
    end: date,
    rule: PeriodRule,
    *,
    what: str,
    periods: str = "calendar_months",
    count: int = 3,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """Apply ``rule`` to each assessment period; every period must meet it.

    Status: ``not_met`` if any sufficiently recorded period fails (missing data cannot rescue it);
    otherwise ``insufficient_data`` if any period is below the completeness threshold; otherwise ``met``.
    """
    limits = {
        "headache_threshold_hours": headache_threshold_hours,
        "min_recorded_per_28": min_recorded_per_28,
    }
    summaries = period_summaries(days, end, periods=periods, count=count, **limits)
    return evaluate_summaries(summaries, rule, what=what, periods=periods, **limits)


def evaluate_summaries(
    summaries: Sequence[tuple[str, PeriodSummary]],
    rule: PeriodRule,
    *,
    what: str,
    periods: str = "calendar_months",
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """:func:`evaluate_periods` on period summaries already made (``(label, summary)``, oldest first),
    e.g. stored monthly counts rebuilt with :func:`period_summary`. Same verdict, same reasons."""
    check_choice(periods, "periods", PERIOD_MODES)
    if not summaries:
        raise ValueError("summaries: give at least one period")
    count = len(summaries)
    results: list[PeriodResult] = []
    for label, s in summaries:
        ps, pe = s.start, s.end
        if not s.sufficient:
            results.append(
                PeriodResult(
                    label,
                    ps,
                    pe,
                    s,
                    False,
                    "insufficient_data",
                    (
                        f"{label}: only {s.days_recorded} of {s.days_in_period} days recorded "
                        f"(need {s.min_days_required}); not assessed",
                    ),
                )
            )
            continue
        ok, why = rule(s)
        results.append(
            PeriodResult(
                label, ps, pe, s, ok, "met" if ok else "not_met", tuple(f"{label}: {r}" for r in why)
            )
        )
    if any(r.status == "not_met" for r in results):
        status = "not_met"
    elif any(r.status == "insufficient_data" for r in results):
        status = "insufficient_data"
    else:
        status = "met"
    head = {
        "met": f"{what}: met in each of the {count} periods",
        "not_met": f"{what}: not met (every one of the {count} periods must meet it)",
        "insufficient_data": f"{what}: insufficient diary data to decide",
    }[status]
    reasons = [head] + [r for p in results for r in p.reasons]
    return Verdict(
        met=status == "met",
        status=status,
        reasons=reasons,
        periods=tuple(results),
        numbers={
            "periods": periods,
            "count": count,
            "headache_threshold_hours": headache_threshold_hours,
            "min_recorded_per_28": min_recorded_per_28,
        },
    )


# ------------------------------------------------------------------------------ calendar months, cycles


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def shift_month(d: date, n: int) -> date:
    """The first of the month ``n`` months after ``d``'s (before, when ``n`` is negative)."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


#: A month belongs to the cycle after an injection given on or before this day of the month (its first
#: half): most of the month then lies after the injection.
CYCLE_DAY_OF_MONTH = 15


def cycle_of_month(month: date, injections: Iterable[date]) -> int:
    """Which treatment cycle a diary month belongs to: 0 = baseline (before the first injection), n = after
    the n-th injection. An injection counts from the month it was given in when given on or before its 15th
    (:data:`CYCLE_DAY_OF_MONTH`), otherwise from the next month."""
    first = month_start(month)
    cutoff = min(month_end(first), first + timedelta(days=CYCLE_DAY_OF_MONTH - 1))
    return sum(1 for d in injections if d <= cutoff)

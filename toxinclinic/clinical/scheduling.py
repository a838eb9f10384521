"""Scheduling rules: free slots, and why a proposed booking is refused (pure Python, no Django).

A clinician's calendar is the clinic's opening hours (weekly periods and closed days), the clinician's
weekly availability and days away, and the appointments already booked. A slot is bookable only where all
of them agree. Times are aware datetimes; weekly periods are wall-clock times in the calendar's time zone,
and arithmetic is done in UTC so a daylight-saving change never stretches or shrinks a slot.

The minimum interval between injections is the recall window's (``recall.recall_window``, 12 weeks by
default): inside it a booking warns, and a payer rule that forbids it turns the warning into a refusal.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from . import recall

UTC = dt.UTC
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

REFUSAL = "refusal"
WARNING = "warning"


def _hhmm(t: dt.time) -> str:
    return t.strftime("%H:%M")


@dataclass(frozen=True)
class WeeklyPeriod:
    """One period on a weekday (Monday 0 … Sunday 6), wall-clock ``start`` to ``end`` on the same day."""

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday: {self.weekday} is not 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError(f"period: end {_hhmm(self.end)} is not after start {_hhmm(self.start)}")


@dataclass(frozen=True)
class Span:
    """A booked or free time, ``start`` inclusive to ``end`` exclusive (aware datetimes)."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("span: times must carry a time zone")
        if self.end <= self.start:
            raise ValueError("span: the end must be after the start")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Away:
    """Days a clinician does not work, ``first`` to ``last`` inclusive, with the reason shown."""

    first: dt.date
    last: dt.date
    reason: str = ""


@dataclass(frozen=True)
class Calendar:
    """One clinician's bookable time. ``opening`` empty means the clinic has not set opening hours (they
    do not limit booking, as for messaging); ``availability`` empty means the clinician is never bookable."""

    tz: dt.tzinfo
    opening: tuple[WeeklyPeriod, ...] = ()
    closed_days: frozenset[dt.date] = frozenset()
    availability: tuple[WeeklyPeriod, ...] = ()
    away: tuple[Away, ...] = ()
    busy: tuple[Span, ...] = ()
    _sorted: tuple[Span, ...] = field(init=False, repr=False, compare=False)
    _merged: tuple[Span, ...] = field(init=False, repr=False, compare=False)
    _ends: tuple[dt.datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        merged: list[Span] = []
        object.__setattr__(self, "_sorted", tuple(sorted(self.busy, key=lambda s: s.start)))
        for s in self._sorted:
            if merged and s.start <= merged[-1].end:
                if s.end > merged[-1].end:
                    merged[-1] = Span(merged[-1].start, s.end)
            else:
                merged.append(s)
        object.__setattr__(self, "_merged", tuple(merged))
        object.__setattr__(self, "_ends", tuple(s.end for s in merged))

    def away_on(self, day: dt.date) -> Away | None:
        return next((a for a in self.away if a.first <= day <= a.last), None)

    def bookable_periods(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """Wall-clock periods on ``day`` inside both opening hours and the clinician's availability."""
        if day in self.closed_days or self.away_on(day) is not None:
            return []
        wd = day.weekday()
        avail = sorted((p.start, p.end) for p in self.availability if p.weekday == wd)
        if not self.opening:
            return avail
        opening = sorted((p.start, p.end) for p in self.opening if p.weekday == wd)
        out = []
        for a0, a1 in avail:
            for o0, o1 in opening:
                lo, hi = max(a0, o0), min(a1, o1)
                if lo < hi:
                    out.append((lo, hi))
        return sorted(out)

    def first_busy_overlap(self, span: Span) -> Span | None:
        """The first booked span (merged) that overlaps ``span``: a binary search, not a walk."""
        i = bisect.bisect_right(self._ends, span.start)
        if i < len(self._merged) and self._merged[i].start < span.end:
            return self._merged[i]
        return None

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def at(self, day: dt.date, t: dt.time) -> dt.datetime:
        """The UTC instant of wall-clock ``t`` on ``day`` in this calendar's zone."""
        return dt.datetime.combine(day, t, tzinfo=self.tz).astimezone(UTC)


@dataclass(frozen=True)
class Finding:
    """Why a booking is refused or warned about: ``code`` for programs, ``message`` for people,
    ``field`` the form field it concerns."""

    code: str
    severity: str
    message: str
    field: str = "starts_at"


DateFmt = Callable[[dt.date], str]
TimeFmt = Callable[[dt.time], str]


def _iso(d: dt.date) -> str:
    return d.isoformat()


def _describe(periods: Iterable[tuple[dt.time, dt.time]], fmt_time: TimeFmt) -> str:
    text = ", ".join(f"{fmt_time(a)}–{fmt_time(b)}" for a, b in periods)
    return text or "not at all"


def check_booking(
    cal: Calendar,
    span: Span,
    *,
    now: dt.datetime | None = None,
    ignore: Span | None = None,
    fmt_date: DateFmt = _iso,
    fmt_time: TimeFmt = _hhmm,
) -> list[Finding]:
    """Refusals for booking ``span`` on ``cal`` (empty: bookable). ``ignore`` is the appointment being
    moved (its own time does not clash with itself). Messages say what is wrong and what is open."""
    out: list[Finding] = []
    if now is not None and span.start < now:
        out.append(Finding("in_past", REFUSAL, "That time has already passed: choose a time from now on."))
    start, end = cal.local(span.start), cal.local(span.end)
    day = start.date()
    wd = WEEKDAY_NAMES[day.weekday()]
    if end.date() != day and end.time() != dt.time(0):
        out.append(Finding("outside_hours", REFUSAL, "An appointment must start and end on the same day."))
        return out
    if day in cal.closed_days:
        out.append(Finding("outside_hours", REFUSAL, f"The clinic is closed on {fmt_date(day)}."))
    elif cal.opening:
        opening = sorted((p.start, p.end) for p in cal.opening if p.weekday == day.weekday())
        if not any(cal.at(day, a) <= span.start and span.end <= cal.at(day, b) for a, b in opening):
            out.append(
                Finding(
                    "outside_hours",
                    REFUSAL,
                    f"Outside the clinic's opening hours: on {wd} it is open {_describe(opening, fmt_time)}.",
                )
            )
    away = cal.away_on(day)
    if away is not None:
        why = f" ({away.reason})" if away.reason else ""
        out.append(
            Finding(
                "clinician_away",
                REFUSAL,
                f"The clinician is away from {fmt_date(away.first)} to {fmt_date(away.last)}{why}.",
                "clinician",
            )
        )
    else:
        avail = sorted((p.start, p.end) for p in cal.availability if p.weekday == day.weekday())
        if not any(cal.at(day, a) <= span.start and span.end <= cal.at(day, b) for a, b in avail):
            out.append(
                Finding(
                    "clinician_unavailable",
                    REFUSAL,
                    f"The clinician does not see patients then: on {wd} they work "
                    f"{_describe(avail, fmt_time)}.",
                    "clinician",
                )
            )
    for b in cal._sorted:  # a linear scan: one check, not a search (free_slots searches)
        if b.overlaps(span) and b != ignore:
            bs, be = cal.local(b.start), cal.local(b.end)
            out.append(
                Finding(
                    "double_booked",
                    REFUSAL,
                    f"Double booking: the clinician already has an appointment from {fmt_time(bs.time())} "
                    f"to {fmt_time(be.time())} on {fmt_date(bs.date())}.",
                )
            )
            break
    return out


def interval_finding(
    last_injection_on: dt.date | None,
    proposed_on: dt.date,
    *,
    interval_days: int = recall.DEFAULT_INTERVAL_DAYS,
    payer_forbids: bool = False,
    fmt_date: DateFmt = _iso,
) -> Finding | None:
    """An injection on ``proposed_on`` before the recall window opens after ``last_injection_on``: a
    warning, or a refusal when the patient's payer forbids it. None when the interval is kept."""
    if last_injection_on is None:
        return None
    window = recall.recall_window(last_injection_on, interval_days)
    if proposed_on >= window.opens:
        return None
    gap = (proposed_on - last_injection_on).days
    base = (
        f"Only {gap} days after the last injection on {fmt_date(last_injection_on)}; the minimum interval "
        f"is {window.interval_days} days, so the next injection is due from {fmt_date(window.opens)}."
    )
    if payer_forbids:
        return Finding("min_interval", REFUSAL, base + " The patient's payer does not cover an earlier one.")
    return Finding("min_interval", WARNING, base)


def _days(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> Iterator[dt.date]:
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def free_slots(
    cal: Calendar,
    start: dt.datetime,
    end: dt.datetime,
    duration: dt.timedelta,
    *,
    step: dt.timedelta | None = None,
    limit: int | None = None,
) -> list[Span]:
    """Free slots of ``duration`` starting in ``[start, end)``, earliest first, on a grid of ``step``
    (default ``duration``) counted from the start of each bookable period. A booked span skips straight
    to its end (binary search), so the cost follows the number of slots, not slots × bookings."""
    step = step or duration
    if duration <= dt.timedelta(0) or step <= dt.timedelta(0):
        raise ValueError("duration and step must be positive")
    out: list[Span] = []
    for day in _days(start, end, cal.tz):
        for a, b in cal.bookable_periods(day):
            p0, p1 = cal.at(day, a), cal.at(day, b)
            t = p0
            if t < start:  # first grid point at or after the search start
                t = p0 + step * -((p0 - start) // step)
            while t + duration <= p1 and t < end:
                slot = Span(t, t + duration)
                clash = cal.first_busy_overlap(slot)
                if clash is None:
                    out.append(slot)
                    if limit is not None and len(out) >= limit:
                        return out
                    t += step
                else:
                    t = p0 + step * -((p0 - clash.end) // step)
    return out


def free_slots_naive(
    cal: Calendar, start: dt.datetime, end: dt.datetime, duration: dt.timedelta, *, step: dt.timedelta
) -> list[Span]:
    """Baseline for the benchmark (and an oracle for tests): try every grid point of every day and ask
    the full ``check_booking`` of each, scanning every booking."""
    out: list[Span] = []
    for day in _days(start, end, cal.tz):
        t = cal.at(day, dt.time(0))
        day_end = cal.at(day + dt.timedelta(days=1), dt.time(0))
        while t < day_end:
            slot = Span(t, t + duration)
            if start <= t < end and not check_booking(cal, slot):
                out.append(slot)
            t += step
    return out


def free_slots_many(
    calendars: Mapping[Hashable, Calendar],
    start: dt.datetime,
    end: dt.datetime,
    duration: dt.timedelta,
    *,
    step: dt.timedelta | None = None,
    limit: int = 20,
) -> list[tuple[Hashable, Span]]:
    """The earliest ``limit`` free slots over several clinicians, as (clinician key, slot), by start."""
    per = [
        [(s.start, i, key, s) for s in free_slots(cal, start, end, duration, step=step, limit=limit)]
        for i, (key, cal) in enumerate(calendars.items())
    ]
    return [(key, s) for _, _, key, s in heapq.merge(*per)][:limit]

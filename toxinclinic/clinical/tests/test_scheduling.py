"""Scheduling rules: free slots agree with the naive oracle; refusals say why; the minimum interval is the
recall window's (84 days by default), a warning unless the payer forbids it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toxinclinic.clinical import recall
from toxinclinic.clinical import scheduling as s

NY = zoneinfo.ZoneInfo("America/New_York")
MON = dt.date(2026, 6, 1)  # a Monday
T = dt.time


def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(h, m), tzinfo=NY)


def week(start: T, end: T, days: range = range(5)) -> tuple[s.WeeklyPeriod, ...]:
    return tuple(s.WeeklyPeriod(d, start, end) for d in days)


def cal(**kw: object) -> s.Calendar:
    base: dict[str, object] = {
        "tz": NY,
        "opening": week(T(8), T(17)),
        "availability": week(T(9), T(12)) + week(T(13), T(16)),
    }
    base.update(kw)
    return s.Calendar(**base)  # type: ignore[arg-type]


def codes(findings: list[s.Finding]) -> list[str]:
    return [f.code for f in findings]


def test_slots_are_inside_hours_and_availability_and_skip_bookings() -> None:
    busy = (s.Span(at(MON, 9, 30), at(MON, 10, 15)),)
    slots = s.free_slots(cal(busy=busy), at(MON, 0), at(MON, 23), dt.timedelta(minutes=30), limit=5)
    assert [x.start.astimezone(NY).time() for x in slots] == [T(9), T(10, 30), T(11), T(11, 30), T(13)]


def test_closed_day_and_away_days_have_no_slots() -> None:
    c = cal(
        closed_days=frozenset({MON}), away=(s.Away(MON + dt.timedelta(1), MON + dt.timedelta(2), "Leave"),)
    )
    slots = s.free_slots(c, at(MON, 0), at(MON + dt.timedelta(3), 23), dt.timedelta(minutes=30))
    assert {x.start.astimezone(NY).date() for x in slots} == {MON + dt.timedelta(3)}


def test_no_opening_hours_set_means_availability_alone_limits() -> None:
    c = cal(opening=(), availability=(s.WeeklyPeriod(5, T(7), T(8)),))  # Saturday 7-8
    slots = s.free_slots(c, at(MON, 0), at(MON + dt.timedelta(6), 23), dt.timedelta(minutes=30))
    assert [x.start.astimezone(NY) for x in slots] == [
        at(MON + dt.timedelta(5), 7),
        at(MON + dt.timedelta(5), 7, 30),
    ]


def test_refusals_name_the_reason() -> None:
    c = cal(
        busy=(s.Span(at(MON, 10), at(MON, 10, 30)),),
        away=(s.Away(MON + dt.timedelta(1), MON + dt.timedelta(1), "Holiday"),),
    )
    double = s.check_booking(c, s.Span(at(MON, 10, 15), at(MON, 10, 45)))
    assert codes(double) == ["double_booked"]
    assert "already has an appointment from 10:00 to 10:30 on 2026-06-01" in double[0].message
    evening = s.check_booking(c, s.Span(at(MON, 18), at(MON, 18, 30)))
    assert codes(evening) == ["outside_hours", "clinician_unavailable"]
    assert "on Monday it is open 08:00–17:00" in evening[0].message
    assert "they work 09:00–12:00, 13:00–16:00" in evening[1].message
    lunch = s.check_booking(c, s.Span(at(MON, 12), at(MON, 12, 30)))
    assert codes(lunch) == ["clinician_unavailable"]
    away = s.check_booking(c, s.Span(at(MON + dt.timedelta(1), 9), at(MON + dt.timedelta(1), 9, 30)))
    assert codes(away) == ["clinician_away"] and "(Holiday)" in away[0].message
    sunday = s.check_booking(c, s.Span(at(MON + dt.timedelta(6), 9), at(MON + dt.timedelta(6), 9, 30)))
    assert "on Sunday it is open not at all" in sunday[0].message
    past = s.check_booking(c, s.Span(at(MON, 9), at(MON, 9, 30)), now=at(MON, 11))
    assert codes(past) == ["in_past"]
    moving = s.Span(at(MON, 10), at(MON, 10, 30))
    assert s.check_booking(c, moving, ignore=moving) == []  # its own old time does not clash


def test_minimum_interval_is_the_recall_window() -> None:
    last = dt.date(2026, 3, 2)
    opens = recall.recall_window(last).opens
    assert opens == last + dt.timedelta(days=84)
    assert s.interval_finding(last, opens) is None
    warn = s.interval_finding(last, opens - dt.timedelta(days=1))
    assert warn is not None and warn.severity == s.WARNING
    assert warn.message.startswith(
        "Only 83 days after the last injection on 2026-03-02; the minimum interval is 84 days"
    )
    refuse = s.interval_finding(last, opens - dt.timedelta(days=1), payer_forbids=True)
    assert refuse is not None and refuse.severity == s.REFUSAL and "payer" in refuse.message
    assert s.interval_finding(None, opens) is None
    assert s.interval_finding(last, last + dt.timedelta(days=90), interval_days=91) is not None


def test_daylight_saving_day_keeps_wall_clock_slots() -> None:
    sunday_change = dt.date(2026, 11, 1)  # clocks go back in New York
    c = cal(opening=(), availability=(s.WeeklyPeriod(6, T(9), T(10)),))
    slots = s.free_slots(c, at(sunday_change, 0), at(sunday_change, 23), dt.timedelta(minutes=30))
    assert [x.start.astimezone(NY).time() for x in slots] == [T(9), T(9, 30)]
    assert all(x.end - x.start == dt.timedelta(minutes=30) for x in slots)


def test_many_clinicians_merge_earliest_first() -> None:
    a = cal(availability=(s.WeeklyPeriod(0, T(10), T(11)),))
    b = cal(availability=(s.WeeklyPeriod(0, T(9), T(10)),))
    got = s.free_slots_many({"a": a, "b": b}, at(MON, 0), at(MON, 23), dt.timedelta(minutes=30), limit=3)
    assert [(k, x.start.astimezone(NY).time()) for k, x in got] == [
        ("b", T(9)),
        ("b", T(9, 30)),
        ("a", T(10)),
    ]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="end 09:00 is not after start 10:00"):
        s.WeeklyPeriod(0, T(10), T(9))
    with pytest.raises(ValueError, match="time zone"):
        s.Span(dt.datetime(2026, 1, 1, 9), dt.datetime(2026, 1, 1, 10))


@st.composite
def bookings(draw: st.DrawFn) -> tuple[s.Span, ...]:
    out = []
    for _ in range(draw(st.integers(0, 12))):
        day = MON + dt.timedelta(days=draw(st.integers(0, 6)))
        start = at(day, 8) + dt.timedelta(minutes=5 * draw(st.integers(0, 108)))
        out.append(s.Span(start, start + dt.timedelta(minutes=5 * draw(st.integers(1, 18)))))
    return tuple(out)


@settings(max_examples=60, deadline=None)
@given(busy=bookings(), minutes=st.sampled_from([15, 20, 30, 45]), step=st.sampled_from([5, 15]))
def test_fast_slots_equal_the_naive_oracle(busy: tuple[s.Span, ...], minutes: int, step: int) -> None:
    """Property: the binary-search generator finds exactly the grid slots the full check accepts."""
    c = cal(busy=busy)
    args = (c, at(MON, 0), at(MON + dt.timedelta(6), 23), dt.timedelta(minutes=minutes))
    fast = s.free_slots(*args, step=dt.timedelta(minutes=step))
    naive = s.free_slots_naive(*args, step=dt.timedelta(minutes=step))
    assert fast == naive
    assert all(not any(b.overlaps(x) for b in busy) for x in fast)

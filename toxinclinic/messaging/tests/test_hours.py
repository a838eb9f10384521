"""Opening hours: open or closed at a moment, and the next opening (closed days skipped)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from toxinclinic.messaging.hours import build

NY = zoneinfo.ZoneInfo("America/New_York")
# Monday to Friday 8:00-12:00 and 13:00-17:00; 1 Dec 2026 is a Tuesday.
HOURS = build(
    [(d, dt.time(8), dt.time(12)) for d in range(5)] + [(d, dt.time(13), dt.time(17)) for d in range(5)],
    [dt.date(2026, 12, 3)],
    NY,
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=NY)


def test_open_inside_a_period_and_closed_at_lunch_and_at_night() -> None:
    assert HOURS.is_open(at(1, 8)) and HOURS.is_open(at(1, 16, 59))
    assert not HOURS.is_open(at(1, 12, 30)) and not HOURS.is_open(at(1, 17)) and not HOURS.is_open(at(1, 7))
    assert HOURS.closes_at(at(1, 9)) == at(1, 12)


def test_next_opening_skips_lunch_nights_closed_days_and_weekends() -> None:
    assert HOURS.next_opening(at(1, 12, 30)) == at(1, 13)
    assert HOURS.next_opening(at(2, 18)) == at(4, 8)  # Thursday 3 December is a closed day
    assert HOURS.next_opening(at(4, 17, 30)) == at(7, 8)  # Friday evening: Monday morning


def test_moments_in_another_zone_are_judged_in_the_clinics_local_time() -> None:
    utc = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)  # 9:00 in New York
    assert HOURS.is_open(utc)
    assert not HOURS.is_open(dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC))  # 7:00 in New York


def test_no_hours_set_means_always_open_and_no_opening_time_claimed() -> None:
    none = build([], [], NY)
    assert none.is_open(at(5, 3)) and none.next_opening(at(5, 3)) is None and not none.configured

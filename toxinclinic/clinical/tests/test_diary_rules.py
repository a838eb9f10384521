"""Rules of the diary that live in the engine: the hours range of a headache, the treatment cycle of a
diary month, and the medication-class sets the verdicts are built from."""

from __future__ import annotations

import math
from datetime import date

import pytest

from toxinclinic.clinical import diary


@pytest.mark.parametrize("hours", [0.5, 1, 4.5, 24, 24.0])
def test_hours_in_range_are_accepted(hours: float) -> None:
    assert diary.check_headache_hours(hours) == float(hours)


@pytest.mark.parametrize(
    ("hours", "why"),
    [
        (1e-300, "below 0.5 h"),
        (0.49, "below 0.5 h"),
        (0, "below 0.5 h"),
        (-1, "below 0.5 h"),
        (24.01, "above 24 h"),
        (True, "is not a number of hours"),
        (False, "is not a number of hours"),
        ("4", "is not a number of hours"),
        (math.nan, "is not a number of hours"),
        (math.inf, "is not a number of hours"),
        (None, "is not a number of hours"),
    ],
)
def test_hours_out_of_range_or_not_numbers_are_refused(hours: object, why: str) -> None:
    with pytest.raises(ValueError, match="duration_hours") as exc:
        diary.check_headache_hours(hours)
    assert why in str(exc.value)


def test_the_range_is_half_an_hour_to_a_day() -> None:
    assert (diary.HEADACHE_HOURS_MIN, diary.HEADACHE_HOURS_MAX) == (0.5, 24.0)


@pytest.mark.parametrize(
    ("month", "injections", "cycle"),
    [
        (date(2026, 3, 1), [], 0),
        (date(2026, 3, 1), [date(2026, 3, 15)], 1),  # on the 15th: this month is after it
        (date(2026, 3, 1), [date(2026, 3, 16)], 0),  # after the 15th: from next month
        (date(2026, 4, 1), [date(2026, 3, 16)], 1),
        (date(2026, 3, 1), [date(2026, 3, 1), date(2025, 12, 3)], 2),
        (date(2026, 2, 1), [date(2026, 5, 1)], 0),  # a later injection does not count
        (date(2026, 3, 20), [date(2026, 3, 10)], 1),  # any day of the month stands for the month
    ],
)
def test_cycle_of_a_month(month: date, injections: list[date], cycle: int) -> None:
    assert diary.cycle_of_month(month, injections) == cycle


def test_medication_class_sets_are_engine_classes() -> None:
    for group in (
        diary.TRIPTAN_OR_ERGOT,
        diary.SIMPLE_OR_NSAID,
        diary.SINGLE_CLASS_OVERUSE,
        diary.MULTIPLE_CLASSES,
        diary.NOT_IN_VERDICT,
    ):
        assert set(group) <= set(diary.MEDICATION_CLASSES)
    # Every class is either in the ICHD-3 8.2 rules or reported as outside them.
    in_rules = set(diary.SINGLE_CLASS_OVERUSE) | set(diary.MULTIPLE_CLASSES) | diary.SIMPLE_OR_NSAID
    assert in_rules | set(diary.NOT_IN_VERDICT) == set(diary.MEDICATION_CLASSES)
    assert "combination_analgesic" not in diary.MULTIPLE_CLASSES  # ICHD-3 8.2.6 as written


def test_a_class_moved_between_sets_changes_both_paths_alike() -> None:
    """The per-day and the bulk path read the same sets: a day with an opioid counts towards the
    several-classes rule on both."""
    day = diary.DiaryDay(date(2026, 3, 2), True, 6, "moderate", acute_medications=("opioid",))
    per_day = diary.summarize([day], date(2026, 3, 1), date(2026, 3, 31))
    bulk = diary.summarize_bulk(diary.DiaryColumns.from_days([day]), date(2026, 3, 1), date(2026, 3, 31))
    assert per_day.multiple_class_days == 1 == int(bulk.multiple_class_days[0])
    assert per_day.simple_or_nsaid_days == 0 == int(bulk.simple_or_nsaid_days[0])

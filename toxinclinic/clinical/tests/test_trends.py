"""Baseline (before the first session) against the last 28 days, checked with hand-counted diaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from toxinclinic.clinical import trends
from toxinclinic.clinical.diary import DiaryDay

FIRST = date(2026, 3, 2)
TODAY = date(2026, 6, 30)


def migraine(d: date, meds: tuple[str, ...] = ("triptan",)) -> DiaryDay:
    return DiaryDay(
        d, True, 8, "severe", unilateral=True, pulsating=True, nausea=True, acute_medications=meds
    )


def tension(d: date) -> DiaryDay:
    return DiaryDay(d, True, 5, "mild")


def clear(d: date) -> DiaryDay:
    return DiaryDay(d)


def window(start: date, n: int, pattern: list) -> list[DiaryDay]:
    return [pattern[i % len(pattern)](start + timedelta(days=i)) for i in range(n)]


def test_preempt_like_change_is_the_percent_change_per_28_days() -> None:
    # Baseline: 28 days before the first session, 20 headache days (12 migraine, with a triptan) — close to
    # PREEMPT's baseline of about 20 headache days per 28 days. Last 28 days: 12 headache days (6 migraine).
    base = [migraine] * 12 + [tension] * 8 + [clear] * 8
    recent = [migraine] * 6 + [tension] * 6 + [clear] * 16
    days = window(FIRST - timedelta(days=28), 28, base) + window(TODAY - timedelta(days=27), 28, recent)
    h = trends.baseline_vs_recent(days, FIRST, TODAY)
    assert h.status == trends.COMPARED and h.compared
    assert (h.baseline.start, h.baseline.end) == (FIRST - timedelta(days=28), FIRST - timedelta(days=1))
    assert (h.recent.start, h.recent.end) == (TODAY - timedelta(days=27), TODAY)
    by = {m.key: m for m in h.measures}
    assert by["headache_days"].baseline_per_28 == 20 and by["headache_days"].recent_per_28 == 12
    assert by["headache_days"].change_pct == -40.0  # (12 - 20) / 20
    assert by["migraine_days"].change_pct == -50.0  # (6 - 12) / 12
    assert by["acute_medication_days"].change_pct == -50.0  # triptan on the migraine days only
    assert any("-40.0%" in r for r in h.reasons)


def test_longer_baseline_is_normalised_per_28_recorded_days_and_capped() -> None:
    # 56 baseline days with 20 headache days per 28; a 120-day diary is capped at 90 days before the session.
    base = [migraine] * 10 + [tension] * 10 + [clear] * 8
    days = window(FIRST - timedelta(days=120), 120, base) + window(TODAY - timedelta(days=27), 28, [clear])
    h = trends.baseline_vs_recent(days, FIRST, TODAY)
    assert h.baseline.start == FIRST - timedelta(days=90)
    assert h.baseline.days_recorded == 90
    by = {m.key: m for m in h.measures}
    assert by["headache_days"].recent_per_28 == 0 and by["headache_days"].change_pct == -100.0


def test_unrecorded_days_in_a_window_stop_the_comparison() -> None:
    # 19 of 28 baseline days recorded: under the 20-day completeness rule, so no percentage is claimed.
    days = window(FIRST - timedelta(days=28), 19, [migraine]) + window(
        TODAY - timedelta(days=27), 28, [clear]
    )
    h = trends.baseline_vs_recent(days, FIRST, TODAY, diary_start=FIRST - timedelta(days=28))
    assert h.status == trends.INSUFFICIENT_DATA
    assert all(m.change_pct is None for m in h.measures)
    assert any("19 of 28 days recorded (20 needed)" in r for r in h.reasons)


def test_too_soon_after_the_first_session_and_no_session_yet() -> None:
    days = window(FIRST - timedelta(days=28), 28, [migraine]) + window(FIRST, 10, [clear])
    h = trends.baseline_vs_recent(days, FIRST, FIRST + timedelta(days=9))
    assert h.status == trends.TOO_SOON and h.recent.start == FIRST
    assert all(m.change_pct is None for m in h.measures)
    h = trends.baseline_vs_recent(days, None, FIRST)
    assert h.status == trends.NO_SESSION and h.baseline is None


def test_baseline_shorter_than_28_days_is_reported_not_compared() -> None:
    days = window(FIRST - timedelta(days=14), 14, [migraine]) + window(
        TODAY - timedelta(days=27), 28, [clear]
    )
    h = trends.baseline_vs_recent(days, FIRST, TODAY, diary_start=FIRST - timedelta(days=14))
    assert h.status == trends.BASELINE_TOO_SHORT
    assert "covers 14 days (at least 28 needed)" in h.reasons[0]


def test_no_headache_at_baseline_has_no_percentage() -> None:
    days = window(FIRST - timedelta(days=28), 28, [clear]) + window(TODAY - timedelta(days=27), 28, [tension])
    h = trends.baseline_vs_recent(days, FIRST, TODAY)
    assert h.status == trends.COMPARED
    assert {m.key: m.change_pct for m in h.measures}["headache_days"] is None


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="first_session"):
        trends.baseline_vs_recent([], TODAY + timedelta(days=1), TODAY)
    with pytest.raises(ValueError, match="recent_days"):
        trends.baseline_vs_recent([], FIRST, TODAY, recent_days=0)

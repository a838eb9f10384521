"""Cycle boundaries, per-cycle figures from month counts and the verdict, on hand-built patients."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from toxinclinic.clinical import cycles, diary, eligibility
from toxinclinic.clinical.cycles import MonthCounts, Score


def month(y: int, m: int, recorded: int, hd: int, mg: int, days: int = 30) -> MonthCounts:
    return MonthCounts(date(y, m, 1), days, recorded, hd, mg, recorded >= diary.min_days_required(days))


SESSIONS = [date(2026, 3, 10), date(2026, 6, 2), date(2026, 9, 20)]
MONTHS = [
    month(2026, 1, 30, 20, 12),  # baseline
    month(2026, 2, 28, 18, 10, days=28),  # baseline
    month(2026, 3, 30, 14, 8),  # cycle 1 (session on the 10th)
    month(2026, 4, 30, 12, 6),  # cycle 1
    month(2026, 5, 10, 1, 0),  # cycle 1 but insufficient: not counted
    month(2026, 6, 30, 9, 4),  # cycle 2 (session on the 2nd)
    month(2026, 7, 30, 8, 3),
    month(2026, 8, 30, 7, 3),
    month(2026, 9, 30, 8, 4),  # session on the 20th: still cycle 2
    month(2026, 10, 30, 6, 2),  # cycle 3
]
SCORES = [
    Score("hit6", date(2026, 3, 1), 66),
    Score("midas", date(2026, 3, 1), 40),
    Score("hit6", date(2026, 6, 2), 62),  # on the session day: closes cycle 1
    Score("hit6", date(2026, 9, 1), 58),
    Score("hit6", date(2026, 9, 10), 60),
    Score("midas", date(2026, 9, 10), 24),
]


def test_boundaries_and_recall():
    t = cycles.timeline("chronic_migraine", SESSIONS, MONTHS, SCORES, date(2026, 11, 5))
    assert [(c.number, c.start, c.end, c.current) for c in t.cycles] == [
        (1, date(2026, 3, 10), date(2026, 6, 1), False),
        (2, date(2026, 6, 2), date(2026, 9, 19), False),
        (3, date(2026, 9, 20), date(2026, 11, 5), True),
    ]
    # 84 days after 10 March is 2 June: on time (0 days after opening); 2 June + 84 = 25 Aug, next on
    # 20 Sep is 26 days after: late (grace 14); cycle 3's window opens 13 Dec: pending.
    assert [c.recall.status for c in t.cycles] == ["on_time", "late", "pending"]
    assert t.cycles[0].recall.days_after_opening == 0
    assert t.cycles[1].recall.days_after_opening == 26
    later = cycles.timeline("chronic_migraine", SESSIONS, MONTHS, SCORES, date(2026, 12, 13))
    assert later.cycles[2].recall.status == "overdue"
    early = cycles.timeline(
        "chronic_migraine", [date(2026, 1, 1), date(2026, 3, 1)], [], [], date(2026, 4, 1)
    )
    assert early.cycles[0].recall.status == "early"


def test_per_cycle_figures_exact():
    t = cycles.timeline("chronic_migraine", SESSIONS, MONTHS, SCORES, date(2026, 11, 5))
    # baseline: (20 + 18) headache days over 58 recorded days, per 30 = 19.655.. -> 19.7
    assert t.baseline.months == 2 and t.baseline.headache_per_30 == 19.7
    assert t.baseline.migraine_per_30 == round(22 * 30 / 58, 1)
    c1, c2, c3 = t.cycles
    assert (c1.counts.months, c1.counts.days_recorded, c1.counts.headache_days) == (2, 60, 26)
    assert c1.counts.headache_per_30 == 13.0
    assert (c2.counts.months, c2.counts.headache_days, c2.counts.days_recorded) == (4, 32, 120)
    assert c2.counts.headache_per_30 == 8.0
    assert c3.counts.headache_per_30 == 6.0
    assert c1.headache_change == round(13.0 - 19.7, 1)
    assert c2.headache_reduction_pct == round((19.7 - 8.0) / 19.7 * 100, 1)
    # questionnaires: baseline HIT-6 66; cycle 1 62 (answered on the day of session 2); cycle 2 mean 59
    assert t.baseline_scores == {"hit6": 66.0, "midas": 40.0}
    assert c1.scores == {"hit6": 62.0}
    assert c2.scores == {"hit6": 59.0, "midas": 24.0}
    assert c2.score_changes == {"hit6": -7.0, "midas": -16.0}


def test_verdict_is_the_continuation_rule():
    t = cycles.timeline("chronic_migraine", SESSIONS, MONTHS, SCORES, date(2026, 11, 5))
    c1, c2, _ = t.cycles
    assert c1.verdict.decision == "reassess" and c1.verdict.status == "too_early"
    expected = eligibility.continuation(19.7, 8.0, 2, midas=(40, 24), hit6=(66, 59))
    assert c2.verdict == expected
    assert c2.verdict.decision == "continue"


def test_non_responder_stops():
    months = [month(2026, 1, 30, 20, 12), month(2026, 3, 30, 19, 11), month(2026, 6, 30, 18, 11)]
    t = cycles.timeline("chronic_migraine", SESSIONS[:2], months, [], date(2026, 8, 1))
    assert t.cycles[1].verdict.decision == "stop"


def test_no_baseline_no_verdict():
    t = cycles.timeline("chronic_migraine", SESSIONS, MONTHS[2:], [], date(2026, 11, 5))
    assert not t.usable_baseline
    assert all(c.verdict is None for c in t.cycles)
    assert "no usable baseline" in t.reasons[0]


def test_dystonia_reports_twstrs_change_without_verdict():
    scores = [Score("twstrs", date(2026, 3, 1), 40), Score("twstrs", date(2026, 5, 1), 30)]
    t = cycles.timeline("cervical_dystonia", SESSIONS[:1], [], scores, date(2026, 6, 1))
    assert t.usable_baseline
    assert t.cycles[0].score_changes == {"twstrs": -10.0}
    assert t.cycles[0].verdict is None


@given(
    st.lists(st.integers(0, 700), min_size=1, max_size=6, unique=True),
    st.lists(st.tuples(st.integers(0, 24), st.integers(0, 31), st.integers(0, 31)), max_size=24),
)
def test_counts_by_cycle_partition_the_sufficient_months(offsets, rows):
    start = date(2025, 1, 1)
    sessions = sorted(start + timedelta(days=o) for o in offsets)
    months = []
    for m, rec, hd in rows:
        first = diary.shift_month(start, m)
        n = diary.month_end(first).day
        rec = min(rec, n)
        months.append(MonthCounts(first, n, rec, min(hd, rec), 0, rec >= diary.min_days_required(n)))
    by = cycles.counts_by_cycle(months, sessions)
    assert sum(c.months for c in by.values()) == sum(1 for m in months if m.sufficient)
    assert sum(c.headache_days for c in by.values()) == sum(m.headache_days for m in months if m.sufficient)
    for n, c in by.items():
        assert 0 <= n <= len(sessions)
        assert c.headache_per_30 is None or 0 <= c.headache_per_30 <= 30
    t = cycles.timeline("chronic_migraine", sessions, months, [], sessions[-1] + timedelta(days=1))
    # cycles tile the time from the first session to today without gap or overlap
    for a, b in itertools.pairwise(t.cycles):
        assert a.end + timedelta(days=1) == b.start


def test_cycle_outcomes_exact():
    out = cycles.cycle_outcomes([(d, cycles.MIGRAINE) for d in SESSIONS], MONTHS, SCORES)
    t = cycles.timeline(cycles.MIGRAINE, SESSIONS, MONTHS, SCORES, date(2026, 11, 1))
    assert [o.number for o in out] == [1, 2, 3]
    assert all(o.has_baseline for o in out)
    for o, c in zip(out, t.cycles, strict=True):
        assert o.headache_change == c.headache_change
        assert o.reduction_pct == c.headache_reduction_pct
        assert o.score_changes == {k: v for k, v in c.score_changes.items() if k in ("hit6", "midas")}
    # baseline 38 days of 58 → 19.7 per 30; cycle 1: 26 of 60 → 13.0; 34.0 % fewer
    assert (out[0].headache_change, out[0].reduction_pct) == (-6.7, 34.0)
    assert (out[0].responder(30), out[0].responder(50)) == (True, False)
    assert out[0].migraine_change == round(round(14 * 30 / 60, 1) - round(22 * 30 / 58, 1), 1)
    assert out[0].score_changes == {"hit6": -4.0}  # 66 before, 62 on the next session day
    assert cycles.cycle_outcomes([(SESSIONS[0], cycles.MIGRAINE)], MONTHS[2:], SCORES) == [
        cycles.CycleOutcome(1, False)
    ]


def test_cycle_outcomes_dystonia_and_mixed_numbering():
    scores = [Score("twstrs", date(2026, 3, 1), 40), Score("twstrs", date(2026, 5, 1), 30)]
    # A same-day pair shares the higher number (as a count of sessions up to that day); other
    # indications' sessions still number the cycles.
    sessions = [
        (SESSIONS[0], cycles.DYSTONIA),
        (SESSIONS[0], cycles.DYSTONIA),
        (SESSIONS[1], cycles.MIGRAINE),
    ]
    out = cycles.cycle_outcomes(sessions, [], scores)
    assert [o.number for o in out] == [2, 2, 3]
    assert out[0] == out[1] == cycles.CycleOutcome(2, True, score_changes={"twstrs": -10.0})
    assert not out[2].has_baseline  # chronic migraine without a diary baseline
    out = cycles.cycle_outcomes([(SESSIONS[0], cycles.DYSTONIA)], [], scores)
    assert out == [cycles.CycleOutcome(1, True, score_changes={"twstrs": -10.0})]


@given(
    st.lists(st.integers(0, 700), min_size=1, max_size=6, unique=True),
    st.lists(st.tuples(st.integers(0, 24), st.integers(0, 31), st.integers(0, 31)), max_size=24),
    st.lists(
        st.tuples(st.sampled_from(["hit6", "midas"]), st.integers(0, 760), st.integers(36, 78)), max_size=8
    ),
)
def test_cycle_outcomes_agree_with_the_timeline(offsets, rows, answered):
    start = date(2025, 1, 1)
    sessions = sorted(start + timedelta(days=o) for o in offsets)
    months = []
    for m, rec, hd in rows:
        first = diary.shift_month(start, m)
        n = diary.month_end(first).day
        rec = min(rec, n)
        months.append(
            MonthCounts(first, n, rec, min(hd, rec), min(hd, rec) // 2, rec >= diary.min_days_required(n))
        )
    scores = [Score(k, start + timedelta(days=d), v) for k, d, v in answered]
    t = cycles.timeline(cycles.MIGRAINE, sessions, months, scores, sessions[-1] + timedelta(days=1))
    out = cycles.cycle_outcomes([(d, cycles.MIGRAINE) for d in sessions], months, scores)
    for o, c in zip(out, t.cycles, strict=True):
        assert o.number == c.number and o.has_baseline == t.usable_baseline
        if o.has_baseline:
            assert (o.headache_change, o.reduction_pct) == (c.headache_change, c.headache_reduction_pct)
            assert o.score_changes == c.score_changes
        else:
            assert o == cycles.CycleOutcome(c.number, False)

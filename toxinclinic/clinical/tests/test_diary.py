import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toxinclinic.clinical import diary
from toxinclinic.clinical.diary import DiaryDay, classify_day, summarize

D0 = date(2026, 1, 1)


def hd(d, **kw):
    base = dict(headache=True, duration_hours=6, severity="moderate")
    base.update(kw)
    return DiaryDay(d, **base)


def mig(d, **kw):
    return hd(d, unilateral=True, pulsating=True, nausea=True, **kw)


# ------------------------------------------------------------------ classify_day


def test_headache_threshold_edges():
    assert not classify_day(hd(D0, duration_hours=3.9)).headache_day
    assert classify_day(hd(D0, duration_hours=4)).headache_day
    assert classify_day(hd(D0, duration_hours=4.1)).headache_day
    assert classify_day(hd(D0, duration_hours=3.9), headache_threshold_hours=3.5).headache_day


def test_short_headache_counts_with_triptan_or_ergot_only():
    assert classify_day(hd(D0, duration_hours=1, acute_medications=["triptan"])).headache_day
    assert classify_day(hd(D0, duration_hours=0.5, acute_medications=("ergot",))).headache_day
    assert not classify_day(hd(D0, duration_hours=1, acute_medications=["nsaid"])).headache_day
    # a triptan without a headache does not make a headache day
    assert not classify_day(DiaryDay(D0, acute_medications=["triptan"])).headache_day


def test_migraine_criteria():
    assert classify_day(mig(D0)).migraine_day
    # C needs 2 features: moderate + unilateral -> 2; D via light AND sound
    assert classify_day(hd(D0, unilateral=True, photophobia=True, phonophobia=True)).migraine_day
    # light without sound is not D
    assert not classify_day(hd(D0, unilateral=True, photophobia=True)).migraine_day
    # only one C feature (mild, unilateral) with nausea -> not migraine
    assert not classify_day(hd(D0, severity="mild", unilateral=True, nausea=True)).migraine_day
    assert classify_day(hd(D0, severity="mild", aura=True)).migraine_day
    assert classify_day(
        hd(D0, severity="mild", acute_medications=["triptan"], relieved_by_acute=True)
    ).migraine_day
    assert not classify_day(
        hd(D0, severity="mild", acute_medications=["nsaid"], relieved_by_acute=True)
    ).migraine_day
    # a non-headache day is never a migraine day
    assert not classify_day(hd(D0, duration_hours=2, aura=True)).migraine_day


def test_moderate_severe_and_medication_flags():
    k = classify_day(hd(D0, severity="severe", acute_medications=["nsaid", "opioid"]))
    assert k.moderate_severe_day and k.acute_medication_day and not k.triptan_or_ergot_day
    assert not classify_day(hd(D0, severity="mild")).moderate_severe_day
    assert k.reasons


def test_diaryday_validation():
    with pytest.raises(ValueError, match=r"duration_hours.*above the maximum of 24"):
        hd(D0, duration_hours=24.5)
    assert hd(D0, duration_hours=24).duration_hours == 24
    with pytest.raises(ValueError, match="duration_hours"):
        hd(D0, duration_hours=-1)
    with pytest.raises(ValueError, match="duration_hours"):
        hd(D0, duration_hours=float("nan"))
    with pytest.raises(ValueError, match="severity"):
        hd(D0, severity="awful")
    with pytest.raises(ValueError, match="acute_medications item 2"):
        hd(D0, acute_medications=["triptan", "aspirin"])
    with pytest.raises(ValueError, match="severity: must be 'none'"):
        DiaryDay(D0, severity="mild")
    with pytest.raises(ValueError, match="duration_hours: must be 0"):
        DiaryDay(D0, duration_hours=2)
    assert hd(D0, acute_medications=["triptan"]).acute_medications == ("triptan",)


# ------------------------------------------------------------------ summarize


def test_summarize_counts_and_normalisation():
    days = [mig(D0 + timedelta(i)) for i in range(10)] + [DiaryDay(D0 + timedelta(i)) for i in range(10, 20)]
    s = summarize(days, D0, D0 + timedelta(27))
    assert (s.days_in_period, s.days_recorded, s.headache_days, s.migraine_days) == (28, 20, 10, 10)
    assert s.headache_days_per_28 == 14.0
    assert s.headache_days_per_30 == 15.0
    assert s.sufficient and s.min_days_required == 20
    s19 = summarize(days[:19], D0, D0 + timedelta(27))
    assert not s19.sufficient


def test_completeness_threshold_scaled():
    assert diary.min_days_required(28) == 20
    assert diary.min_days_required(30) == 22
    assert diary.min_days_required(31) == 23


def test_summarize_errors_and_ignores_outside():
    with pytest.raises(ValueError, match="before start"):
        summarize([], D0, D0 - timedelta(1))
    with pytest.raises(ValueError, match="recorded twice"):
        summarize([DiaryDay(D0), DiaryDay(D0)], D0, D0)
    s = summarize([hd(D0 - timedelta(1)), hd(D0)], D0, D0)
    assert (s.days_recorded, s.headache_days) == (1, 1)
    empty = summarize([], D0, D0)
    assert empty.headache_days_per_28 is None


# ------------------------------------------------------------------ periods / MOH


def test_assessment_periods():
    p = diary.assessment_periods(date(2026, 3, 31))
    assert [x[0] for x in p] == ["2026-01", "2026-02", "2026-03"]
    p = diary.assessment_periods(date(2026, 3, 30))
    assert [x[0] for x in p] == ["2025-12", "2026-01", "2026-02"]
    p = diary.assessment_periods(date(2026, 3, 31), "28_day")
    assert p[-1][1:] == (date(2026, 3, 4), date(2026, 3, 31))
    assert p[0][1] == date(2026, 3, 31) - timedelta(83)


def month_days(y, m, n_headache, meds_days=0, med="triptan", recorded=None):
    import calendar

    n = calendar.monthrange(y, m)[1]
    recorded = n if recorded is None else recorded
    out = []
    for i in range(recorded):
        d = date(y, m, i + 1)
        if i < n_headache:
            out.append(hd(d, acute_medications=[med] if i < meds_days else []))
        else:
            out.append(DiaryDay(d, acute_medications=[med] if i < meds_days else []))
    return out


def three_months(n_headache, meds_days=0, med="triptan"):
    return [d for m in (1, 2, 3) for d in month_days(2026, m, n_headache, meds_days, med)]


def test_moh_edges():
    end = date(2026, 3, 31)
    assert diary.medication_overuse(three_months(15, 10), end).status == "met"
    assert diary.medication_overuse(three_months(14, 10), end).status == "not_met"
    assert diary.medication_overuse(three_months(15, 9), end).status == "not_met"
    assert diary.medication_overuse(three_months(15, 15, "nsaid"), end).met
    assert not diary.medication_overuse(three_months(15, 14, "nsaid"), end).met
    assert diary.medication_overuse(three_months(15, 10, "combination_analgesic"), end).met
    assert not diary.medication_overuse(three_months(15, 20, "gepant"), end).met


def test_moh_multiple_classes():
    end = date(2026, 3, 31)
    days = []
    for m in (1, 2, 3):
        for i in range(28):
            d = date(2026, m, i + 1)
            meds = ["triptan"] if i < 5 else ["opioid"] if i < 10 else []
            days.append(hd(d, acute_medications=meds) if i < 16 else DiaryDay(d, acute_medications=meds))
    v = diary.medication_overuse(days, end)
    assert v.met
    assert "several classes together on 10 days" in " ".join(v.reasons)


def test_moh_insufficient_and_not_met_precedence():
    end = date(2026, 3, 31)
    jan = month_days(2026, 1, 15, 10, recorded=20)  # 20 < 23 required
    good = [d for m in (2, 3) for d in month_days(2026, m, 15, 10)]
    v = diary.medication_overuse(jan + good, end)
    assert (v.met, v.status) == (False, "insufficient_data")
    bad = [d for m in (2, 3) for d in month_days(2026, m, 14, 10)]
    v = diary.medication_overuse(jan + bad, end)
    assert v.status == "not_met"
    assert len(v.periods) == 3 and v.periods[0].status == "insufficient_data"


# ------------------------------------------------------------------ hypothesis


day_strategy = st.builds(
    lambda off, h, dur, sev, flags, meds, rel: DiaryDay(
        D0 + timedelta(off),
        headache=h,
        duration_hours=dur if h else 0,
        severity=sev if h else "none",
        unilateral=flags[0],
        pulsating=flags[1],
        aggravated_by_activity=flags[2],
        nausea=flags[3],
        vomiting=flags[4],
        photophobia=flags[5],
        phonophobia=flags[6],
        aura=flags[7],
        acute_medications=meds,
        relieved_by_acute=rel,
    ),
    st.integers(0, 60),
    st.booleans(),
    st.one_of(st.sampled_from([0, 3.9, 3.99, 4, 4.01, 24]), st.floats(0, 24)),
    st.sampled_from(diary.SEVERITIES),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.lists(st.sampled_from(diary.MEDICATION_CLASSES), max_size=3),
    st.booleans(),
)


def unique_days(days):
    seen, out = set(), []
    for d in days:
        if d.date not in seen:
            seen.add(d.date)
            out.append(d)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(day_strategy, max_size=60), st.sampled_from([4.0, 2.0, 3.99]))
def test_bulk_matches_per_day(days, thr):
    days = unique_days(days)
    cols = diary.DiaryColumns.from_days(days)
    k = diary.classify_bulk(cols, thr)
    for i, d in enumerate(days):
        c = classify_day(d, thr)
        assert (
            c.headache_day,
            c.migraine_day,
            c.moderate_severe_day,
            c.acute_medication_day,
            c.triptan_or_ergot_day,
        ) == (
            bool(k.headache_day[i]),
            bool(k.migraine_day[i]),
            bool(k.moderate_severe_day[i]),
            bool(k.acute_medication_day[i]),
            bool(k.triptan_or_ergot_day[i]),
        )
    start, end = D0 + timedelta(5), D0 + timedelta(40)
    assert diary.summarize_bulk(cols, start, end, headache_threshold_hours=thr).summary(0) == summarize(
        days, start, end, headache_threshold_hours=thr
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(day_strategy, max_size=30), min_size=1, max_size=5))
def test_bulk_groups_match(groups_days):
    groups_days = [unique_days(g) for g in groups_days]
    flat = [d for g in groups_days for d in g]
    gidx = np.array([i for i, g in enumerate(groups_days) for _ in g], dtype=np.int64)
    starts = np.array([D0 + timedelta(i) for i in range(len(groups_days))], dtype="datetime64[D]")
    ends = starts + 30
    bs = diary.summarize_bulk(
        diary.DiaryColumns.from_days(flat), starts, ends, gidx, n_groups=len(groups_days)
    )
    for i, g in enumerate(groups_days):
        assert bs.summary(i) == summarize(g, D0 + timedelta(i), D0 + timedelta(i + 30))


def test_bulk_duplicate_and_validation():
    cols = diary.DiaryColumns.from_days([hd(D0), hd(D0)])
    with pytest.raises(ValueError, match="recorded twice"):
        diary.summarize_bulk(cols, D0, D0)
    cols = diary.DiaryColumns.from_days([hd(D0)])
    bad = diary.DiaryColumns(**{**cols.__dict__, "duration_hours": np.array([25.0])})
    with pytest.raises(ValueError, match="row 0: duration_hours"):
        diary.classify_bulk(bad)


@settings(max_examples=100, deadline=None)
@given(st.lists(day_strategy, max_size=40), st.randoms())
def test_summary_independent_of_order(days, rnd):
    days = unique_days(days)
    shuffled = days[:]
    rnd.shuffle(shuffled)
    assert summarize(days, D0, D0 + timedelta(60)) == summarize(shuffled, D0, D0 + timedelta(60))


@settings(deadline=None)  # timing is not what this tests (the shared machine is sometimes slow)
@given(st.integers(0, 31), st.integers(0, 31), st.integers(1, 31))
def test_normalisation_monotonic(a, b, recorded):
    lo, hi = sorted((a, b))
    assert diary.normalise(lo, recorded) <= diary.normalise(hi, recorded)
    assert diary.normalise(lo, recorded, 30) <= diary.normalise(hi, recorded, 30)


def test_random_large_equivalence():
    rnd = random.Random(7)
    days = [
        DiaryDay(
            D0 + timedelta(i),
            headache=(h := rnd.random() < 0.6),
            duration_hours=rnd.choice([0, 2, 3.9, 4, 8]) if h else 0,
            severity=rnd.choice(diary.SEVERITIES) if h else "none",
            unilateral=rnd.random() < 0.5,
            pulsating=rnd.random() < 0.5,
            nausea=rnd.random() < 0.3,
            acute_medications=rnd.sample(diary.MEDICATION_CLASSES, rnd.randint(0, 2)),
        )
        for i in range(400)
    ]
    bs = diary.summarize_bulk(diary.DiaryColumns.from_days(days), D0, D0 + timedelta(399))
    assert bs.summary(0) == summarize(days, D0, D0 + timedelta(399))


# ------------------------------------------------------- incremental summaries and stored-count verdicts


def stored_counts(s):
    return {
        **{f: getattr(s, f) for f in diary.COUNT_FIELDS},
        "medication_days_by_class": s.medication_days_by_class,
    }


@settings(max_examples=200, deadline=None)
@given(st.lists(day_strategy, max_size=40), day_strategy, st.sampled_from(["add", "replace", "remove"]))
def test_replace_day_equals_recount(days, new_day, op):
    """Keeping a period's counts one day at a time gives exactly what summarising all its days gives."""
    start, end = D0, D0 + timedelta(60)
    days = unique_days(days)
    by_date = {d.date: d for d in days}
    old = by_date.get(new_day.date)
    if op == "remove":
        if old is None:
            return
        after = [d for d in days if d.date != new_day.date]
        changed = diary.replace_day(summarize(days, start, end), classify_day(old), None)
    else:
        after = [d for d in days if d.date != new_day.date] + [new_day]
        changed = diary.replace_day(
            summarize(days, start, end), classify_day(old) if old else None, classify_day(new_day)
        )
    assert changed == summarize(after, start, end)


@settings(max_examples=100, deadline=None)
@given(st.lists(day_strategy, max_size=40))
def test_period_summary_from_stored_counts_is_identical(days):
    start, end = D0 + timedelta(3), D0 + timedelta(33)
    s = summarize(unique_days(days), start, end)
    assert diary.period_summary(start, end, **stored_counts(s)) == s


def test_period_summary_and_replace_day_refuse_impossible_counts():
    s = summarize([hd(D0)], D0, D0 + timedelta(29))
    counts = stored_counts(s)
    with pytest.raises(ValueError, match="headache_days: 2 is not a whole number of days from 0 to 1"):
        diary.period_summary(D0, D0 + timedelta(29), **{**counts, "headache_days": 2})
    with pytest.raises(ValueError, match="days_recorded: 31 is not a whole number of days from 0 to 30"):
        diary.period_summary(D0, D0 + timedelta(29), **{**counts, "days_recorded": 31})
    with pytest.raises(ValueError, match="medication_days_by_class"):
        diary.period_summary(D0, D0 + timedelta(29), **{**counts, "medication_days_by_class": {"aspirin": 1}})
    with pytest.raises(ValueError, match="outside the period"):
        diary.replace_day(s, None, classify_day(hd(D0 + timedelta(30))))
    with pytest.raises(ValueError, match="replaces a different day"):
        diary.replace_day(s, classify_day(hd(D0)), classify_day(hd(D0 + timedelta(1))))
    with pytest.raises(ValueError, match="was not counted"):
        diary.replace_day(s, classify_day(mig(D0 + timedelta(2), acute_medications=["opioid"])), None)


def _overuse_days(n_months_days, triptan_days=12):
    out = []
    for start, n in n_months_days:
        for i in range(n):
            out.append(hd(start + timedelta(i), acute_medications=["triptan"] if i < triptan_days else []))
    return out


def test_moh_from_summaries_matches_moh_from_days():
    end = date(2026, 4, 10)
    periods = diary.assessment_periods(end)
    cases = [
        _overuse_days([(ps, 25) for _, ps, _ in periods]),  # 25 headache days, triptan on 12 each
        _overuse_days([(ps, 25) for _, ps, _ in periods], triptan_days=9),
        _overuse_days([(ps, 25 if i else 10) for i, (_, ps, _) in enumerate(periods)]),
    ]
    for days in cases:
        from_days = diary.medication_overuse(days, end)
        summaries = [(label, summarize(days, ps, pe)) for label, ps, pe in periods]
        from_counts = diary.medication_overuse_from_summaries(summaries)
        assert (from_counts.status, from_counts.reasons) == (from_days.status, from_days.reasons)
    assert {diary.medication_overuse(c, end).status for c in cases} == {"met", "not_met", "insufficient_data"}
    with pytest.raises(ValueError, match="at least one period"):
        diary.medication_overuse_from_summaries([])

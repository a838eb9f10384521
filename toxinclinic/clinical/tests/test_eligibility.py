import calendar
from datetime import date, timedelta

import pytest

from toxinclinic.clinical import eligibility
from toxinclinic.clinical.diary import DiaryDay
from toxinclinic.clinical.eligibility import PreventiveTrial, continuation

END = date(2026, 3, 31)


def month(y, m, headache, migraine, recorded=None):
    n = calendar.monthrange(y, m)[1]
    out = []
    for i in range(n if recorded is None else recorded):
        d = date(y, m, i + 1)
        if i < migraine:
            out.append(
                DiaryDay(d, headache=True, duration_hours=8, severity="severe", unilateral=True, nausea=True)
            )
        elif i < headache:
            out.append(DiaryDay(d, headache=True, duration_hours=5, severity="mild"))
        else:
            out.append(DiaryDay(d))
    return out


def quarter(headache, migraine):
    return [d for m in (1, 2, 3) for d in month(2026, m, headache, migraine)]


# --------------------------------------------------------------------------- chronic migraine


@pytest.mark.parametrize(
    ("h", "m", "status"), [(15, 8, "met"), (14, 8, "not_met"), (15, 7, "not_met"), (16, 9, "met")]
)
def test_cm_edges(h, m, status):
    v = eligibility.chronic_migraine(quarter(h, m), END)
    assert v.status == status and v.met == (status == "met")
    assert [p.label for p in v.periods] == ["2026-01", "2026-02", "2026-03"]
    assert v.periods[1].summary.headache_days == h


def test_cm_every_month_must_meet():
    days = month(2026, 1, 15, 8) + month(2026, 2, 14, 8) + month(2026, 3, 20, 10)
    v = eligibility.chronic_migraine(days, END)
    assert v.status == "not_met" and [p.met for p in v.periods] == [True, False, True]


def test_cm_insufficient_and_end_mid_month():
    days = month(2026, 1, 15, 8, recorded=22) + month(2026, 2, 15, 8) + month(2026, 3, 15, 8)
    v = eligibility.chronic_migraine(days, END)
    assert (v.met, v.status) == (False, "insufficient_data")
    assert v.periods[0].summary.min_days_required == 23
    days = month(2026, 1, 15, 8, recorded=23) + month(2026, 2, 15, 8) + month(2026, 3, 15, 8)
    assert eligibility.chronic_migraine(days, END).met
    # ending on 30 March: March is not complete, so Dec-Feb are judged (December missing)
    v = eligibility.chronic_migraine(quarter(15, 8), date(2026, 3, 30))
    assert v.status == "insufficient_data" and v.periods[0].label == "2025-12"


def test_cm_28_day_mode():
    start = END - timedelta(days=83)
    days = []
    for i in range(84):
        d = start + timedelta(i)
        k = i % 28
        days.append(
            DiaryDay(d, headache=True, duration_hours=6, severity="severe", unilateral=True, nausea=True)
            if k < 8
            else DiaryDay(d, headache=True, duration_hours=4)
            if k < 15
            else DiaryDay(d)
        )
    v = eligibility.chronic_migraine(days, END, periods="28_day")
    assert v.met and [p.summary.headache_days for p in v.periods] == [15, 15, 15]
    with pytest.raises(ValueError, match="periods"):
        eligibility.chronic_migraine(days, END, periods="weeks")


# --------------------------------------------------------------------------- preventives


def trial(drug, weeks, outcome="ineffective", target=True, cls=None):
    s = date(2025, 1, 1)
    return PreventiveTrial(drug, cls, s, s + timedelta(weeks=weeks), target, outcome)


def test_preventive_failures():
    v = eligibility.preventive_failures([trial("topiramate", 8), trial("propranolol", 8)])
    assert v.met and v.numbers["failed_classes"] == ["anticonvulsant", "beta_blocker"]
    v = eligibility.preventive_failures([trial("topiramate", 8), trial("propranolol", 7.9)])
    assert not v.met and v.numbers["failed_class_count"] == 1
    # same class twice counts once
    v = eligibility.preventive_failures([trial("topiramate", 10), trial("valproate", 10)])
    assert not v.met
    v = eligibility.preventive_failures([trial("amitriptyline", 12, target=False), trial("erenumab", 12)])
    assert not v.met
    v = eligibility.preventive_failures(
        [
            trial("amitriptyline", 2, "not_tolerated", target=False),
            PreventiveTrial("candesartan", None, None, None, False, "contraindicated"),
        ]
    )
    assert v.met and v.numbers["failed_classes"] == ["antidepressant", "arb"]
    v = eligibility.preventive_failures([trial("topiramate", 8), trial("propranolol", 8)], required_classes=3)
    assert not v.met


def test_preventive_errors():
    assert eligibility.drug_class("Erenumab") == "cgrp_mab"
    with pytest.raises(ValueError, match="drug: 'aspirin' is not a known preventive"):
        trial("aspirin", 8)
    assert trial("flunarizine", 8, cls="antidepressant").drug_class == "antidepressant"
    with pytest.raises(ValueError, match="outcome"):
        trial("topiramate", 8, "failed")
    with pytest.raises(ValueError, match="trial dates"):
        PreventiveTrial("topiramate", None, None, None, True, "ineffective")


def test_initial_authorization():
    hist = [trial("topiramate", 8), trial("propranolol", 8)]
    v = eligibility.initial_authorization(quarter(15, 8), END, 30, hist)
    assert v.met and v.numbers["initial_cycles"] == 2
    assert eligibility.initial_authorization(quarter(15, 8), END, 17, hist).status == "not_met"
    assert not eligibility.initial_authorization(quarter(15, 8), END, 30, hist[:1]).met
    assert eligibility.initial_authorization(
        quarter(15, 8), END, 30, hist[:1], require_preventive_failures=False
    ).met


# --------------------------------------------------------------------------- continuation


def test_continuation_thresholds():
    v = continuation(20, 10, 2)
    assert (v.decision, v.status, v.met) == ("continue", "met", True)
    assert v.numbers["percent_reduction"] == 50.0 and v.numbers["absolute_reduction_days"] == 10
    assert "20 at baseline, 10 now" in " ".join(v.reasons)
    assert continuation(20, 10.2, 2).decision == "reassess"  # 49%
    assert continuation(20, 14, 2).decision == "reassess"  # 30%
    assert continuation(20, 14.2, 2).decision == "stop"  # 29%
    assert continuation(20, 22, 3).decision == "stop"
    assert continuation(20, 14, 2, response_threshold_pct=30).decision == "continue"
    assert continuation(24, 17, 2, min_absolute_reduction_days=7).decision == "continue"
    assert continuation(24, 17.5, 2, min_absolute_reduction_days=7).decision == "stop"  # 6.5 fewer, 27%


def test_continuation_too_early():
    v = continuation(20, 5, 1)
    assert (v.decision, v.status, v.met) == ("reassess", "too_early", False)
    assert "too early" in v.reasons[0]


def test_continuation_scales():
    assert continuation(20, 19, 2, midas=(15, 10)).decision == "continue"
    assert continuation(20, 19, 2, midas=(15, 11)).decision == "stop"
    assert continuation(20, 19, 2, midas=(40, 28)).decision == "continue"  # 30%
    assert continuation(20, 19, 2, midas=(40, 29)).decision == "stop"
    assert continuation(20, 19, 2, midas=(10, 0)).decision == "stop"  # no criterion at baseline <= 10
    assert continuation(20, 19, 2, hit6=(65, 60)).decision == "continue"
    assert continuation(20, 19, 2, hit6=(65, 61)).decision == "stop"
    assert continuation(20, 19, 2, mpfid=(30, 25)).decision == "continue"


def test_continuation_errors():
    with pytest.raises(ValueError, match="baseline: must be greater than 0"):
        continuation(0, 0, 2)
    with pytest.raises(ValueError, match="after"):
        continuation(10, -1, 2)
    with pytest.raises(ValueError, match="cycles"):
        continuation(10, 5, -1)
    with pytest.raises(ValueError, match="HIT-6 before"):
        continuation(10, 5, 2, hit6=(30, 40))


@pytest.mark.parametrize(("b", "a"), [(10.5, 7.35), (15, 10.5), (7, 4.9), (13.3, 9.31)])
def test_continuation_exact_30_percent_is_partial(b, a):
    assert continuation(b, a, 2).decision == "reassess"


def test_continuation_pair_shape():
    with pytest.raises(ValueError, match=r"midas: expected \(before, after\)"):
        continuation(10, 5, 2, midas=(12,))

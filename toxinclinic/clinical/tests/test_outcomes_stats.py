"""Intervals against direct computation, the small-group rule, and the published references."""

from __future__ import annotations

import math
import statistics

from hypothesis import given
from hypothesis import strategies as st

from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.clinical import outcomes_stats as s


def test_t_quantiles():
    assert s.t_975(1) == 12.706 and s.t_975(30) == 2.042
    # published table values beyond 30 degrees of freedom
    for df, t in ((40, 2.021), (60, 2.000), (120, 1.980), (1000, 1.962)):
        assert abs(s.t_975(df) - t) < 0.001


def test_mean_ci_direct():
    xs = [-10.0, -8.0, -6.0, -4.0, -2.0, 0.0]
    e = s.mean_ci(xs)
    m, sd = statistics.mean(xs), statistics.stdev(xs)
    half = 2.571 * sd / math.sqrt(6)
    assert (e.value, e.low, e.high, e.n) == (round(m, 2), round(m - half, 2), round(m + half, 2), 6)


def test_wilson_direct():
    e = s.wilson(7, 20)
    # Wilson 95% for 7/20: 0.1812 .. 0.5671 (Newcombe 1998 method 3)
    assert e.value == 35.0 and e.low == 18.1 and e.high == 56.7
    assert s.wilson(0, 10).low == 0.0 and s.wilson(10, 10).high == 100.0


def test_median_order_statistics():
    xs = list(range(1, 11))  # n = 10: ranks 2 and 9 (coverage 97.9%)
    e = s.median_ci([float(x) for x in xs])
    assert (e.value, e.low, e.high) == (5.5, 2.0, 9.0)
    five = s.median_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert five.value == 3.0 and five.low is None  # no 95% order-statistic interval for n = 5


def test_small_groups_are_suppressed():
    assert s.MIN_GROUP_SIZE == 5
    for est in (s.mean_ci([1.0] * 4), s.median_ci([1.0] * 4), s.wilson(2, 4)):
        assert est.suppressed and est.value is None and est.low is None and est.n == 4
    assert not s.mean_ci([1.0] * 5).suppressed


@given(st.lists(st.floats(-30, 30, allow_nan=False), min_size=5, max_size=60))
def test_intervals_contain_their_estimate(xs):
    m = s.mean_ci(xs)
    assert m.low <= m.value + 1e-9 and m.value <= m.high + 1e-9
    md = s.median_ci(xs)
    assert md.value == round(statistics.median(xs), 2)
    if md.low is not None:
        assert md.low <= md.value <= md.high


@given(st.integers(5, 400), st.data())
def test_wilson_in_unit_interval(n, data):
    k = data.draw(st.integers(0, n))
    e = s.wilson(k, n)
    assert 0 <= e.low <= e.value <= e.high <= 100


def test_summarize_responders():
    changes = [
        s.CycleChange(-10, 60),
        s.CycleChange(-5, 35),
        s.CycleChange(-1, 5),
        s.CycleChange(-9, 50),
        s.CycleChange(2, -10),
        s.CycleChange(-12, 70),
    ]
    out = s.summarize("headache_days", 2, changes)
    assert out.n == 6
    assert out.responders_50.value == round(3 / 6 * 100, 1)
    assert out.responders_30.value == round(4 / 6 * 100, 1)


def test_references_cite_their_sources():
    for f in ref.FIGURES:
        assert f.source in ref.SOURCES
    assert ref.SOURCES["compel"].pmid == "29404713"
    assert [f.value for f in ref.figures_for("headache_days", 9)] == [-10.7]
    assert "doi:10.1186/s10194-018-0840-8" in ref.cite("compel")


def test_median_rank_exact_and_approximate_agree():
    for n in (200, 600, 1000):
        approx = math.floor((n - s.Z_975 * math.sqrt(n)) / 2)
        assert abs(s.median_rank(n) - approx) <= 1
    big = s.median_ci([float(i % 97) for i in range(20000)])  # no overflow, no quadratic loop
    assert big.low <= big.value <= big.high


def _histogram(xs: list[float]) -> list[tuple[float, int]]:
    out: dict[float, int] = {}
    for x in xs:
        out[x] = out.get(x, 0) + 1
    return sorted(out.items())


# Changes as the report stores them (0.1 steps) and arbitrary floats: the histogram path must give the
# very same figures as the values, bit for bit (not merely close), including the rounding at .xx5.
@given(
    st.one_of(
        st.lists(st.integers(-300, 300).map(lambda k: round(k / 10, 1)), max_size=1500),
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=80),
    ),
    st.integers(0, 3),
)
def test_counts_path_equals_the_values_path(xs, r):
    counts = _histogram(xs)
    assert s.mean_ci_counts(counts) == s.mean_ci(xs)
    assert s.median_ci_counts(counts) == s.median_ci(xs)
    pcts = [float(i % 101) for i in range(len(xs))][: len(xs) // (r + 1)]
    changes = [s.CycleChange(x, pcts[i] if i < len(pcts) else None) for i, x in enumerate(xs)]
    resp = (len(pcts), sum(p >= 50 for p in pcts), sum(p >= 30 for p in pcts))
    assert s.summarize_counts("headache_days", 1, counts, resp) == s.summarize("headache_days", 1, changes)


def test_counts_path_at_a_rounding_tie():
    # The mean is -0.125 give or take an ulp: summing value × count in floats gives -0.13, the exact sum
    # rounded once (fsum over the values, Fraction over the histogram) gives -0.12.
    xs = [-3.0, -1.4, -0.2, -0.1, 0.4, 0.4, 0.5, 2.4]
    counts = _histogram(xs)
    assert round(sum(v * k for v, k in counts) / len(xs), 2) == -0.13
    assert s.mean_ci_counts(counts) == s.mean_ci(xs)
    assert s.mean_ci_counts(counts).value == -0.12

"""Clinic outcome statistics: mean and median change, responder shares, 95% intervals, small-group rule.

Methods (all two-sided 95%):

* **mean** — Student's t interval, mean ± t(0.975, n−1) · s / √n (s the sample standard deviation);
  t quantiles from the exact table for 1–30 degrees of freedom and the Cornish–Fisher expansion above
  (error < 0.001 there);
* **median** — the distribution-free order-statistic interval: the j-th and (n−j+1)-th ordered values,
  j the largest rank with P(j ≤ B ≤ n−j) ≥ 0.95 for B ~ Binomial(n, ½) (exact to 1,000 values, the
  normal approximation above); none exists below n = 6;
* **proportion** — the Wilson score interval (z = 1.959964), which stays inside [0, 1] and behaves at
  0 % and 100 %, unlike the Wald interval;
* **from counts** — :func:`summarize_counts` gives the same figures, bit for bit, from a sorted
  (value, how many) histogram such as a ``GROUP BY`` returns: sums are exact (fractions) and rounded once,
  which is what ``math.fsum`` does over the expanded values;
* **small groups** — :data:`MIN_GROUP_SIZE` = 5: a figure computed from fewer than 5 patients is
  suppressed (shown as "fewer than 5"), so no patient can be singled out of an aggregate.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate

Z_975 = 1.959963984540054
#: Suppression threshold: any figure from fewer patients than this is withheld.
MIN_GROUP_SIZE = 5

# t(0.975, df) for df = 1..30 (standard tables).
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_975(df: int) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f"df: {df} is below 1")
    if df <= 30:
        return _T_975[df - 1]
    z = Z_975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


@dataclass(frozen=True)
class Estimate:
    """A figure, its 95% interval (None when it cannot be had) and the patients behind it. ``suppressed``
    figures carry no value at all."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    suppressed: bool = False

    @classmethod
    def withheld(cls, n: int) -> Estimate:
        return cls(None, None, None, n, True)


def suppressed(n: int) -> bool:
    """The small-group rule: fewer than :data:`MIN_GROUP_SIZE` patients."""
    return n < MIN_GROUP_SIZE


def mean_ci(values: Sequence[float]) -> Estimate:
    """Mean with a t interval (no interval for a single value)."""
    n = len(values)
    if suppressed(n):
        return Estimate.withheld(n)
    m = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - m) ** 2 for v in values) / (n - 1))
    half = t_975(n - 1) * sd / math.sqrt(n)
    return Estimate(round(m, 2), round(m - half, 2), round(m + half, 2), n)


#: Above this many values the order-statistic rank comes from the normal approximation to the binomial
#: (rank ``floor((n − z√n) / 2)``), which agrees with the exact rank to within one there.
EXACT_MEDIAN_MAX_N = 1000


def median_rank(n: int) -> int:
    """The largest j (1-based) with P(j <= B <= n − j) >= 0.95 for B ~ Binomial(n, ½); 0 if none.

    Exact (integer arithmetic: coverage = 1 − 2·P(B <= j − 1) >= 0.95  ⇔  40·Σ C(n, i) <= 2ⁿ) up to
    :data:`EXACT_MEDIAN_MAX_N`, the normal approximation above.
    """
    if n > EXACT_MEDIAN_MAX_N:
        return max(0, math.floor((n - Z_975 * math.sqrt(n)) / 2))
    total, j, c, cum = 2**n, 0, 1, 0  # c = C(n, i), cum = Σ_{k<=i} C(n, k)
    for i in range(n // 2):
        cum += c
        if 40 * cum > total:
            break
        j = i + 1
        c = c * (n - i) // (i + 1)
    return j


def median_ci(values: Sequence[float]) -> Estimate:
    """Median with the order-statistic interval (none below 6 values)."""
    n = len(values)
    if suppressed(n):
        return Estimate.withheld(n)
    xs = sorted(values)
    mid = n // 2
    med = xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2
    j = median_rank(n)
    if j == 0:
        return Estimate(round(med, 2), None, None, n)
    return Estimate(round(med, 2), round(xs[j - 1], 2), round(xs[n - j], 2), n)


def wilson(successes: int, n: int) -> Estimate:
    """Share (percent) with the Wilson score interval (percent)."""
    if successes < 0 or successes > n:
        raise ValueError(f"successes: {successes} is not within 0..{n}")
    if suppressed(n):
        return Estimate.withheld(n)
    p = successes / n
    z2 = Z_975**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_975 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(
        round(p * 100, 1), round(max(0.0, centre - half) * 100, 1), round(min(1.0, centre + half) * 100, 1), n
    )


@dataclass(frozen=True)
class CycleChange:
    """One patient's change at one cycle: ``change`` = cycle − baseline (negative is better for days and
    for every scale here), ``reduction_pct`` = percent fewer headache days (None for scales)."""

    change: float
    reduction_pct: float | None = None


@dataclass(frozen=True)
class MeasureSummary:
    measure: str
    cycle: int
    mean: Estimate
    median: Estimate
    responders_50: Estimate | None
    responders_30: Estimate | None

    @property
    def n(self) -> int:
        return self.mean.n


def summarize(measure: str, cycle: int, changes: Sequence[CycleChange]) -> MeasureSummary:
    """Mean and median change; for headache days also the 50% and 30% responder shares."""
    values = [c.change for c in changes]
    pcts = [c.reduction_pct for c in changes if c.reduction_pct is not None]
    r50 = r30 = None
    if pcts:
        r50 = wilson(sum(1 for p in pcts if p >= 50), len(pcts))
        r30 = wilson(sum(1 for p in pcts if p >= 30), len(pcts))
    return MeasureSummary(measure, cycle, mean_ci(values), median_ci(values), r50, r30)


#: A sorted histogram: (value, how many patients have it), values ascending and distinct, counts >= 1.
Counts = Sequence[tuple[float, int]]


def _n(counts: Counts) -> int:
    return sum(k for _, k in counts)


def mean_ci_counts(counts: Counts) -> Estimate:
    """:func:`mean_ci` of the values ``counts`` describes, without expanding them."""
    n = _n(counts)
    if suppressed(n):
        return Estimate.withheld(n)
    # fsum is the correctly rounded exact sum; float(Fraction) rounds the exact sum once, the same way.
    m = float(sum((Fraction(v) * k for v, k in counts), Fraction(0))) / n
    ss = float(sum((Fraction((v - m) ** 2) * k for v, k in counts), Fraction(0)))
    sd = math.sqrt(ss / (n - 1))
    half = t_975(n - 1) * sd / math.sqrt(n)
    return Estimate(round(m, 2), round(m - half, 2), round(m + half, 2), n)


def median_ci_counts(counts: Counts) -> Estimate:
    """:func:`median_ci` of the values ``counts`` describes (sorted ascending), without expanding them."""
    n = _n(counts)
    if suppressed(n):
        return Estimate.withheld(n)
    ends = list(accumulate(k for _, k in counts))

    def at(i: int) -> float:  # the i-th (0-based) ordered value
        return counts[bisect_right(ends, i)][0]

    mid = n // 2
    med = at(mid) if n % 2 else (at(mid - 1) + at(mid)) / 2
    j = median_rank(n)
    if j == 0:
        return Estimate(round(med, 2), None, None, n)
    return Estimate(round(med, 2), round(at(j - 1), 2), round(at(n - j), 2), n)


def summarize_counts(
    measure: str, cycle: int, counts: Counts, responders: tuple[int, int, int] | None = None
) -> MeasureSummary:
    """:func:`summarize` from a sorted histogram of the changes and, for headache days,
    ``responders`` = (patients with a reduction figure, of them >= 50 %, of them >= 30 %)."""
    r50 = r30 = None
    if responders is not None and responders[0]:
        total, fifty, thirty = responders
        r50, r30 = wilson(fifty, total), wilson(thirty, total)
    return MeasureSummary(measure, cycle, mean_ci_counts(counts), median_ci_counts(counts), r50, r30)

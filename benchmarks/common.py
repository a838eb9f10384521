"""Shared shape of a benchmark result and the helpers that time things.

Every benchmark reports a figure *and* a baseline measured in the same run, so the
ratio stays meaningful on noisy shared machines where absolute times drift.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchResult:
    """One line of docs/benchmarks.md.

    ``higher_is_better`` tells how to read the ratio: throughput figures (days/s,
    requests/s) are better high, latencies are better low. ``ratio`` is always
    figure / baseline.
    """

    name: str
    figure: float
    unit: str
    baseline_name: str
    baseline: float
    higher_is_better: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("inf")


def best_of(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` rounds of ``number`` calls.

    The median, not the minimum, because a 2-core shared machine has bursts of
    interference in both directions and the median is what a user would see.
    """
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)

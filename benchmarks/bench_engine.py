"""Clinical engine throughput: classify and summarise generated diary days.

The figure is the numpy bulk path (``diary.summarize_bulk``, which classifies, validates and counts per
patient-period); the baseline, measured in the same run, is the plain per-day path (``diary.summarize``,
which calls ``classify_day`` for every day) on a sample of the same data. Both produce identical
summaries (checked here on the sample and by hypothesis in the test-suite).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from benchmarks.common import BenchResult, best_of
from toxinclinic.clinical import diary

PERIOD_DAYS = 28
PERIODS_PER_PATIENT = 3
START = date(2026, 1, 1)


def generate(
    n_patients: int, seed: int = 20260101
) -> tuple[diary.DiaryColumns, np.ndarray, np.ndarray, np.ndarray, int]:
    """Columns for ``n_patients`` × 84 days, grouped into one group per patient-period."""
    rng = np.random.default_rng(seed)
    days_per_patient = PERIOD_DAYS * PERIODS_PER_PATIENT
    n = n_patients * days_per_patient
    offset = np.tile(np.arange(days_per_patient, dtype=np.int64), n_patients)
    dates = np.datetime64(START, "D") + offset
    headache = rng.random(n) < 0.5
    duration = np.where(headache, np.round(rng.random(n) * 24, 1), 0.0)
    severity = np.where(headache, rng.integers(1, 4, n), 0).astype(np.int8)
    meds = np.zeros(n, dtype=np.uint16)
    for bit in diary.MED_BIT.values():
        meds |= np.where(rng.random(n) < 0.12, bit, 0).astype(np.uint16)
    flags = {name: rng.random(n) < 0.35 for name in diary.DiaryColumns._BOOL if name != "headache"}
    cols = diary.DiaryColumns(
        date=dates, headache=headache, duration_hours=duration, severity=severity, medications=meds, **flags
    )
    patient = np.repeat(np.arange(n_patients, dtype=np.int64), days_per_patient)
    groups = patient * PERIODS_PER_PATIENT + offset // PERIOD_DAYS
    g = n_patients * PERIODS_PER_PATIENT
    starts = np.datetime64(START, "D") + (np.arange(g) % PERIODS_PER_PATIENT) * PERIOD_DAYS
    return cols, groups, starts, starts + (PERIOD_DAYS - 1), g


def _to_days(cols: diary.DiaryColumns, lo: int, hi: int) -> list[diary.DiaryDay]:
    out = []
    for i in range(lo, hi):
        meds = [c for c, bit in diary.MED_BIT.items() if int(cols.medications[i]) & bit]
        out.append(
            diary.DiaryDay(
                cols.date[i].astype(date),
                headache=bool(cols.headache[i]),
                duration_hours=float(cols.duration_hours[i]),
                severity=diary.SEVERITIES[int(cols.severity[i])],
                acute_medications=meds,
                **{n: bool(getattr(cols, n)[i]) for n in diary.DiaryColumns._BOOL if n != "headache"},
            )
        )
    return out


def run(quick: bool) -> list[BenchResult]:
    n_patients = 200_000 // 84 if quick else 10_000_000 // 84 + 1
    cols, groups, starts, ends, g = generate(n_patients)
    n_days = len(cols)

    def bulk() -> diary.BulkSummary:
        return diary.summarize_bulk(cols, starts, ends, groups, n_groups=g)

    bulk_s = best_of(bulk, repeat=3 if not quick else 5)
    result = bulk()

    # Plain loop over classify_day (via summarize) on a sample of whole patient-periods.
    sample_groups = 60 if quick else 600
    days = _to_days(cols, 0, sample_groups * PERIOD_DAYS)

    def loop() -> list[diary.PeriodSummary]:
        return [
            diary.summarize(
                days[k * PERIOD_DAYS : (k + 1) * PERIOD_DAYS], starts[k].astype(date), ends[k].astype(date)
            )
            for k in range(sample_groups)
        ]

    loop_s = best_of(loop, repeat=3)
    for k, s in enumerate(loop()):
        if s != result.summary(k):
            raise AssertionError(f"bulk and per-day summaries differ for group {k}")
    label = f"{n_days / 1e6:.1f}M" if n_days >= 1_000_000 else f"{n_days // 1000}k"
    return [
        BenchResult(
            f"classify+summarise {label} days (numpy bulk)",
            n_days / bulk_s,
            "days/s",
            "plain per-day loop (classify_day)",
            sample_groups * PERIOD_DAYS / loop_s,
            higher_is_better=True,
            note=f"{g:,} patient-periods of {PERIOD_DAYS} days; loop timed on "
            f"{sample_groups * PERIOD_DAYS:,} days; identical summaries",
        )
    ]


if __name__ == "__main__":  # pragma: no cover
    for r in run(quick=True):
        print(r, f"ratio {r.ratio:.1f}")

"""Free-slot search for one patient over 12 weeks (the engine, ``clinical.scheduling``).

The figure is ``free_slots`` over every bookable clinician: for each bookable period of each day it walks
the grid and skips a booked span with one binary search. The baseline, measured in the same run, is
``free_slots_naive``: every 15-minute grid point of every day through the full ``check_booking`` (hours,
availability, days away, and a scan of every booking). Both return the same slots (checked here, and by a
hypothesis property in the test-suite). The calendars: clinic open 8-17 on weekdays, each clinician
bookable 9-12 and 13-16, a week of leave, and about 70 % of their time already booked.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import zoneinfo

from benchmarks.common import BenchResult, best_of
from toxinclinic.clinical import scheduling as s

NY = zoneinfo.ZoneInfo("America/New_York")
START = dt.datetime(2026, 6, 1, tzinfo=NY)
WEEKS = 12
STEP = dt.timedelta(minutes=15)
LENGTH = dt.timedelta(minutes=30)


def calendars(n_clinicians: int, seed: int = 20260601) -> dict[int, s.Calendar]:
    rng = random.Random(seed)
    opening = tuple(s.WeeklyPeriod(d, dt.time(8), dt.time(17)) for d in range(5))
    avail = tuple(
        s.WeeklyPeriod(d, a, b)
        for d in range(5)
        for a, b in ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(16)))
    )
    out = {}
    for c in range(n_clinicians):
        busy = []
        for day in range(WEEKS * 7):
            date = START.date() + dt.timedelta(days=day)
            if date.weekday() >= 5:
                continue
            t = dt.datetime.combine(date, dt.time(9), tzinfo=NY)
            while t < dt.datetime.combine(date, dt.time(16), tzinfo=NY):
                minutes = rng.choice((15, 20, 30, 45))
                if rng.random() < 0.7:
                    busy.append(s.Span(t, t + dt.timedelta(minutes=minutes)))
                t += dt.timedelta(minutes=minutes)
        leave = START.date() + dt.timedelta(days=rng.randrange(WEEKS * 7 - 7))
        out[c] = s.Calendar(tz=NY, opening=opening, availability=avail, busy=tuple(busy),
                            away=(s.Away(leave, leave + dt.timedelta(days=6), "Leave"),))  # fmt: skip
    return out


def run(quick: bool = False) -> list[BenchResult]:
    n = 1 if quick else 4
    cals = calendars(n)
    end = START + dt.timedelta(weeks=WEEKS)

    def fast() -> list[list[s.Span]]:
        return [s.free_slots(c, START, end, LENGTH, step=STEP) for c in cals.values()]

    t0 = time.perf_counter()  # the baseline once: it is slow, and its answer is the oracle
    oracle = [s.free_slots_naive(c, START, end, LENGTH, step=STEP) for c in cals.values()]
    t_naive = time.perf_counter() - t0
    if fast() != oracle:
        raise AssertionError("fast and naive slot search disagree")
    repeat = 3 if quick else 7
    t_fast = best_of(fast, repeat=repeat)
    first = best_of(lambda: s.free_slots_many(cals, START, end, LENGTH, step=STEP, limit=12), repeat=repeat)
    bookings = sum(len(c.busy) for c in cals.values())
    free = sum(len(x) for x in oracle)
    note = f"{n} clinician(s), {WEEKS} weeks, {bookings} bookings, {free} free 30-min slots on a 15-min grid"
    base = "naive: every grid point through check_booking"
    return [
        BenchResult("all free slots over 12 weeks", t_fast * 1000, "ms", base, t_naive * 1000,
                    higher_is_better=False, note=note),
        BenchResult("next 12 free slots (the booking screen)", first * 1000, "ms", base, t_naive * 1000,
                    higher_is_better=False, note="stops at the twelfth slot"),
    ]  # fmt: skip


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(f"{r.name}: {r.figure:.2f} {r.unit}; {r.baseline_name}: {r.baseline:.2f}; ratio {r.ratio:.4f}")

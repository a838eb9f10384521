"""The engine's eligibility and continuation verdicts for a patient, from what is stored: the diary's month
counts (``diary.DiaryMonth``), its days (eligibility only), and the signed sessions (treatment room).

Nothing here judges: it picks the inputs the engine needs and says where each came from and what is
missing. Baseline = the up to 3 complete calendar months before the first session; current = the complete
months since the second-to-last session (the last two cycles), mean headache days per 30 days.
Both the worklist (many patients at once, rows already fetched) and the packet (one patient) call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import eligibility
from toxinclinic.clinical._common import Verdict
from toxinclinic.clinical.diary import month_end, month_start, shift_month

BASELINE_MONTHS = 3


@dataclass(frozen=True)
class MonthFigure:
    month: dt.date
    days_recorded: int
    days_in_period: int
    sufficient: bool
    headache_days: int
    migraine_days: int
    headache_days_per_30: float | None
    migraine_days_per_30: float | None


@dataclass(frozen=True)
class ContinuationInputs:
    baseline: float | None
    current: float | None
    cycles: int
    baseline_months: list[MonthFigure]
    current_months: list[MonthFigure]
    sources: list[str]
    missing: list[str] = field(default_factory=list)


def month_figures(rows: Sequence[Mapping[str, Any]]) -> list[MonthFigure]:
    """Stored ``DiaryMonth`` values (dicts) as figures, oldest first."""
    return [
        MonthFigure(
            r["month"],
            r["days_recorded"],
            r["days_in_period"],
            r["sufficient"],
            r["headache_days"],
            r["migraine_days"],
            r["headache_days_per_30"],
            r["migraine_days_per_30"],
        )
        for r in sorted(rows, key=lambda r: r["month"])
    ]


MONTH_VALUES = (
    "patient_id",
    "month",
    "days_recorded",
    "days_in_period",
    "sufficient",
    "headache_days",
    "migraine_days",
    "headache_days_per_30",
    "migraine_days_per_30",
)


def mean_per_30(ms: Sequence[MonthFigure]) -> float | None:
    vals = [m.headache_days_per_30 for m in ms if m.headache_days_per_30 is not None]
    return round(sum(vals) / len(vals), 1) if vals else None


def continuation_inputs(months: Sequence[MonthFigure], sessions: Sequence[dt.date]) -> ContinuationInputs:
    """Baseline and current monthly headache days (per 30 days) and the cycle count, with their sources."""
    sessions = sorted(sessions)
    missing: list[str] = []
    first = sessions[0]
    before = [m for m in months if month_end(m.month) < first][-BASELINE_MONTHS:]
    base_ok = [m for m in before if m.sufficient]
    if len(base_ok) < BASELINE_MONTHS:
        missing.append(
            f"baseline: {len(base_ok)} complete diary month{'s' if len(base_ok) != 1 else ''} before the "
            f"first injection ({format_date(first)}); {BASELINE_MONTHS} wanted (a month is complete with "
            ">= 22 of 30 days recorded)"
        )
    since = sessions[-2] if len(sessions) >= 2 else first
    after = [m for m in months if m.month > month_start(since)]
    cur_ok = [m for m in after if m.sufficient][-BASELINE_MONTHS:]
    if not cur_ok:
        missing.append(f"current: no complete diary month since {format_date(since)}")
    sources = [
        "baseline: mean headache days per 30 days of "
        + (", ".join(f"{m.month:%B %Y}" for m in base_ok) or "no month")
        + " (stored diary month counts)",
        "current: mean headache days per 30 days of "
        + (", ".join(f"{m.month:%B %Y}" for m in cur_ok) or "no month")
        + f" (complete months after the session of {format_date(since)})",
        f"cycles: {len(sessions)} signed treatment session{'s' if len(sessions) != 1 else ''}",
    ]
    return ContinuationInputs(
        mean_per_30(base_ok), mean_per_30(cur_ok), len(sessions), before, after, sources, missing
    )


def continuation_verdict(
    inputs: ContinuationInputs,
    midas: tuple[int, int] | None = None,
    hit6: tuple[int, int] | None = None,
) -> Verdict | None:
    """The engine's continuation verdict, or None when the inputs are missing (see ``inputs.missing``)."""
    if not inputs.baseline or inputs.current is None:
        return None
    return eligibility.continuation(inputs.baseline, inputs.current, inputs.cycles, midas=midas, hit6=hit6)


def eligibility_end(today: dt.date) -> dt.date:
    """The last day of the last full calendar month before ``today`` (the diagnosis looks back from it)."""
    return month_end(shift_month(month_start(today), -1))


@dataclass(frozen=True)
class Shown:
    """A verdict for a list cell: kind, status, decision and one line of words."""

    kind: str
    status: str
    decision: str
    summary: str


def shown(kind: str, verdict: Verdict | None, missing: Sequence[str] = ()) -> Shown:
    if verdict is None:
        return Shown(kind, "insufficient_data", "", missing[0] if missing else "not enough data")
    return Shown(kind, verdict.status, verdict.decision or "", verdict.reasons[0] if verdict.reasons else "")

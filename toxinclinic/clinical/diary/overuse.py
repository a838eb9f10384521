"""Medication-overuse headache (ICHD-3 8.2) judged on the assessment periods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .._common import Verdict
from .days import (
    DEFAULT_HEADACHE_THRESHOLD_HOURS,
    DEFAULT_MIN_RECORDED_PER_28,
    MULTIPLE_CLASSES,
    NOT_IN_VERDICT,
    SINGLE_CLASS_OVERUSE,
    DiaryDay,
)
from .periods import PeriodRule, PeriodSummary, evaluate_summaries, fmt_rate, period_summaries

MOH_TITLE = "Medication-overuse headache (ICHD-3 8.2)"


def unrecorded_note(s: PeriodSummary, count: int, need: int, what: str) -> list[str]:
    if count < need <= count + s.unrecorded_days:
        return [f"{s.unrecorded_days} unrecorded days: {what} count of {count} is a minimum"]
    return []


def _moh_rule(
    headache_days_min: int,
    single_class_days_min: int,
    simple_analgesic_days_min: int,
    multiple_class_days_min: int,
) -> PeriodRule:
    """ICHD-3 8.2 applied to one period (see :func:`medication_overuse`)."""

    def rule(s: PeriodSummary) -> tuple[bool, list[str]]:
        why: list[str] = []
        hd_ok = s.headache_days >= headache_days_min
        why.append(
            f"{s.headache_days} headache days ({'>=' if hd_ok else '<'} {headache_days_min}; "
            f"{fmt_rate(s.headache_days_per_30)} per 30 days)"
        )
        if not hd_ok:
            why += unrecorded_note(s, s.headache_days, headache_days_min, "headache-day")
        by = s.medication_days_by_class
        overused: list[str] = []
        for c in SINGLE_CLASS_OVERUSE:
            if by[c] >= single_class_days_min:
                overused.append(f"{c} on {by[c]} days (>= {single_class_days_min})")
        if s.simple_or_nsaid_days >= simple_analgesic_days_min:
            overused.append(
                f"simple analgesics/NSAIDs on {s.simple_or_nsaid_days} days (>= {simple_analgesic_days_min})"
            )
        # 8.2.6 is about a *combination*: one class alone (e.g. NSAIDs on 14 days) must meet its own limit.
        used = [c for c in MULTIPLE_CLASSES if by[c]]
        if not overused and len(used) >= 2 and s.multiple_class_days >= multiple_class_days_min:
            overused.append(
                f"several classes together on {s.multiple_class_days} days "
                f"(>= {multiple_class_days_min}; {', '.join(used)}; none overused singly)"
            )
        if overused:
            why.append("overuse: " + "; ".join(overused))
        else:
            why.append(
                "no overuse: "
                + ", ".join(f"{c.replace('_', ' ')} {by[c]}" for c in SINGLE_CLASS_OVERUSE)
                + f" days (each < "
                f"{single_class_days_min}); simple/NSAID {s.simple_or_nsaid_days} "
                f"(< {simple_analgesic_days_min}); classes together {s.multiple_class_days} "
                f"(< {multiple_class_days_min})"
            )
        why.append("not in the verdict: " + ", ".join(f"{c} {by[c]}" for c in NOT_IN_VERDICT) + " days")
        return hd_ok and bool(overused), why

    return rule


def medication_overuse(
    days: Sequence[DiaryDay],
    end: date,
    *,
    periods: str = "calendar_months",
    headache_days_min: int = 15,
    single_class_days_min: int = 10,
    simple_analgesic_days_min: int = 15,
    multiple_class_days_min: int = 10,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """Medication-overuse headache (ICHD-3 8.2) from a diary, judged on the 3 periods ending at ``end``.

    Each period needs >= ``headache_days_min`` headache days and one of: a triptan, ergot, opioid or
    combination analgesic on >= 10 days; simple analgesics (paracetamol or NSAID, aspirin included) on
    >= 15 days; or, when nothing is overused singly, any combination of ergots, triptans, simple
    analgesics, NSAIDs and opioids on >= 10 days (8.2.6; at least two of these classes must have been
    used). Gepants, ditans and "other" are reported but do
    not enter the verdict. Counts are **raw recorded days** in periods that pass the completeness check:
    ICHD-3 counts days that happened, and extrapolating unrecorded days could create a diagnosis from
    missing data. Normalised figures are carried in ``periods[i].summary``.
    """

    limits = {
        "headache_threshold_hours": headache_threshold_hours,
        "min_recorded_per_28": min_recorded_per_28,
    }
    return medication_overuse_from_summaries(
        period_summaries(days, end, periods=periods, **limits),
        periods=periods,
        headache_days_min=headache_days_min,
        single_class_days_min=single_class_days_min,
        simple_analgesic_days_min=simple_analgesic_days_min,
        multiple_class_days_min=multiple_class_days_min,
        **limits,
    )


def medication_overuse_from_summaries(
    summaries: Sequence[tuple[str, PeriodSummary]],
    *,
    periods: str = "calendar_months",
    headache_days_min: int = 15,
    single_class_days_min: int = 10,
    simple_analgesic_days_min: int = 15,
    multiple_class_days_min: int = 10,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """:func:`medication_overuse` from the summaries of the assessment periods (``(label, summary)``,
    oldest first, as :func:`assessment_periods` gives them): the same verdict without re-reading the
    days, for callers that keep per-period counts (:func:`period_summary`, :func:`replace_day`)."""
    return evaluate_summaries(
        summaries,
        _moh_rule(
            headache_days_min, single_class_days_min, simple_analgesic_days_min, multiple_class_days_min
        ),
        what=MOH_TITLE,
        periods=periods,
        headache_threshold_hours=headache_threshold_hours,
        min_recorded_per_28=min_recorded_per_28,
    )

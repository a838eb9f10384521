"""Eligibility and continuation rules (clinical reference §2, §7).

Diary-based diagnoses compare **raw recorded-day counts** with the ICHD-3 thresholds, in periods that pass
the completeness check: ICHD-3 counts days that happened, and scaling up a partly recorded month would let
missing data create a diagnosis (or normalising a complete February to 30 days would turn 14 headache
days into 15). Normalised figures (per 28 and per 30 days) are reported alongside in every period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import diary
from ._common import Verdict, check_choice, check_date, check_int, check_number

PREVENTIVE_CLASSES: dict[str, str] = {
    "anticonvulsant": "anticonvulsant",
    "beta_blocker": "beta-blocker",
    "antidepressant": "antidepressant",
    "arb": "angiotensin receptor blocker (candesartan)",
    "cgrp_mab": "CGRP monoclonal antibody",
    "gepant": "gepant (preventive)",
    "onabotulinumtoxina": "onabotulinumtoxinA",
}
#: Named preventives (AHS 2021 / reference §7) and their class.
DRUG_CLASSES: dict[str, str] = {
    "topiramate": "anticonvulsant",
    "divalproex": "anticonvulsant",
    "valproate": "anticonvulsant",
    "propranolol": "beta_blocker",
    "metoprolol": "beta_blocker",
    "timolol": "beta_blocker",
    "amitriptyline": "antidepressant",
    "nortriptyline": "antidepressant",
    "venlafaxine": "antidepressant",
    "candesartan": "arb",
    "erenumab": "cgrp_mab",
    "fremanezumab": "cgrp_mab",
    "galcanezumab": "cgrp_mab",
    "eptinezumab": "cgrp_mab",
    "atogepant": "gepant",
    "rimegepant": "gepant",
    "onabotulinumtoxina": "onabotulinumtoxina",
}
OUTCOMES: tuple[str, ...] = ("ineffective", "not_tolerated", "contraindicated")


def drug_class(drug: str) -> str:
    """Class of a named preventive (case-insensitive); ValueError if the drug is not in the lookup."""
    key = drug.strip().lower() if isinstance(drug, str) else drug
    if key not in DRUG_CLASSES:
        raise ValueError(f"drug: {drug!r} is not a known preventive; give drug_class explicitly")
    return DRUG_CLASSES[key]


@dataclass(frozen=True)
class PreventiveTrial:
    """A past preventive. ``drug_class`` may be None to look it up from ``drug``. ``start``/``end`` may be
    None only for a contraindication (no trial needed)."""

    drug: str
    drug_class: str | None
    start: date | None
    end: date | None
    at_target_dose: bool
    outcome: str

    def __post_init__(self) -> None:
        if not isinstance(self.drug, str) or not self.drug.strip():
            raise ValueError("drug: must be a non-empty name")
        cls = self.drug_class if self.drug_class is not None else drug_class(self.drug)
        check_choice(cls, "drug_class", tuple(PREVENTIVE_CLASSES))
        object.__setattr__(self, "drug_class", cls)
        check_choice(self.outcome, "outcome", OUTCOMES)
        if not isinstance(self.at_target_dose, bool):
            raise ValueError(f"at_target_dose: {self.at_target_dose!r} is not True/False")
        if self.outcome != "contraindicated":
            if self.start is None or self.end is None:
                raise ValueError(f"start/end: {self.drug} was tried, so the trial dates are needed")
        if self.start is not None:
            check_date(self.start, "start")
        if self.end is not None:
            check_date(self.end, "end")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end: {self.end.isoformat()} is before start {self.start.isoformat()}")

    @property
    def weeks(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days / 7


def preventive_failures(
    history: Sequence[PreventiveTrial],
    required_classes: int = 2,
    *,
    min_trial_weeks: float = 8,
    intolerance_requires_adequate_trial: bool = False,
) -> Verdict:
    """Count distinct preventive classes failed (AHS 2021; payers require 2, sometimes 3 — configurable).

    A trial counts as failed when: ineffective after >= ``min_trial_weeks`` (8) at target dose; not tolerated
    (any duration, unless ``intolerance_requires_adequate_trial``, because intolerance often stops a drug
    before the target dose is reached); or contraindicated (no trial needed).
    """
    check_int(required_classes, "required_classes", 1)
    failed: dict[str, list[str]] = {}
    reasons: list[str] = []
    for t in history:
        if not isinstance(t, PreventiveTrial):
            raise ValueError(f"history: {t!r} is not a PreventiveTrial")
        wk = t.weeks
        adequate = t.at_target_dose and wk is not None and wk >= min_trial_weeks
        dur = f"{wk:.1f} weeks" if wk is not None else "no trial"
        dose = "at target dose" if t.at_target_dose else "below target dose"
        if t.outcome == "contraindicated":
            counts, why = True, "contraindicated (counts without a trial)"
        elif t.outcome == "not_tolerated":
            counts = adequate or not intolerance_requires_adequate_trial
            why = f"not tolerated after {dur} {dose}"
        else:
            counts = adequate
            why = f"ineffective after {dur} {dose}" + (
                "" if adequate else f" (an adequate trial is >= {min_trial_weeks:g} weeks at target dose)"
            )
        cls = str(t.drug_class)
        reasons.append(
            f"{t.drug} ({PREVENTIVE_CLASSES[cls]}): {why} — {'counts' if counts else 'does not count'}"
        )
        if counts:
            failed.setdefault(cls, []).append(t.drug)
    n = len(failed)
    met = n >= required_classes
    head = (
        f"{n} preventive class{'es' if n != 1 else ''} failed "
        f"({', '.join(PREVENTIVE_CLASSES[c] for c in failed) or 'none'}); {required_classes} required"
    )
    return Verdict(
        met=met,
        status="met" if met else "not_met",
        reasons=[head, *reasons],
        numbers={
            "failed_classes": sorted(failed),
            "failed_class_count": n,
            "required_classes": required_classes,
            "min_trial_weeks": min_trial_weeks,
        },
    )


def chronic_migraine(
    days: Sequence[diary.DiaryDay],
    end: date,
    *,
    periods: str = "calendar_months",
    headache_days_min: int = 15,
    migraine_days_min: int = 8,
    headache_threshold_hours: float = diary.DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = diary.DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """ICHD-3 1.3 from a diary: each of the 3 full calendar months ending on or before ``end`` (or three
    28-day periods ending at ``end`` with ``periods="28_day"``) needs >= 15 headache days and >= 8 migraine
    days (raw recorded counts; see the module docstring). A period below the completeness threshold makes
    the verdict ``insufficient_data`` unless another, complete period already fails (``not_met``).
    The history of >= 5 migraine attacks is a clinical question the diary cannot answer.
    """

    def rule(s: diary.PeriodSummary) -> tuple[bool, list[str]]:
        hd_ok = s.headache_days >= headache_days_min
        mg_ok = s.migraine_days >= migraine_days_min
        why = [
            f"{s.headache_days} headache days ({'>=' if hd_ok else '<'} {headache_days_min}; "
            f"{diary.fmt_rate(s.headache_days_per_30)} per 30 days), {s.migraine_days} migraine days "
            f"({'>=' if mg_ok else '<'} {migraine_days_min}); "
            f"{s.days_recorded}/{s.days_in_period} days recorded"
        ]
        if not hd_ok:
            why += diary.unrecorded_note(s, s.headache_days, headache_days_min, "headache-day")
        if not mg_ok:
            why += diary.unrecorded_note(s, s.migraine_days, migraine_days_min, "migraine-day")
        if s.headache_days < headache_days_min:
            why.append(f"fewer than {headache_days_min} headache days: episodic pattern")
        return hd_ok and mg_ok, why

    return diary.evaluate_periods(
        days,
        end,
        rule,
        what="Chronic migraine (ICHD-3 1.3)",
        periods=periods,
        headache_threshold_hours=headache_threshold_hours,
        min_recorded_per_28=min_recorded_per_28,
    )


def initial_authorization(
    days: Sequence[diary.DiaryDay],
    end: date,
    age: int,
    preventive_history: Sequence[PreventiveTrial],
    *,
    min_age: int = 18,
    required_classes: int = 2,
    require_preventive_failures: bool = True,
    initial_cycles: int = 2,
    periods: str = "calendar_months",
) -> Verdict:
    """Typical payer policy for starting Botox in chronic migraine (all parts configurable): chronic
    migraine from the diary, age >= 18, and failure of ``required_classes`` preventive classes; the
    first approval usually covers ``initial_cycles`` (2) cycles.
    """
    check_int(age, "age", 0, 130, "years")
    cm = chronic_migraine(days, end, periods=periods)
    pf = preventive_failures(preventive_history, required_classes)
    age_ok = age >= min_age
    parts = {
        "diagnosis": cm.status,
        "age": "met" if age_ok else "not_met",
        "preventives": pf.status if require_preventive_failures else "met",
    }
    if "not_met" in parts.values():
        status = "not_met"
    elif "insufficient_data" in parts.values():
        status = "insufficient_data"
    else:
        status = "met"
    reasons = [
        f"initial authorization: {status.replace('_', ' ')}",
        f"age {age} ({'>=' if age_ok else '<'} {min_age})",
        *cm.reasons,
    ]
    reasons += pf.reasons if require_preventive_failures else ["preventive failures not required by policy"]
    if status == "met":
        reasons.append(
            f"approve {initial_cycles} cycles ({initial_cycles * 12} weeks) before judging response"
        )
    return Verdict(
        met=status == "met",
        status=status,
        reasons=reasons,
        periods=cm.periods,
        numbers={
            "age": age,
            "min_age": min_age,
            **pf.numbers,
            "initial_cycles": initial_cycles,
            "parts": parts,
        },
    )


def continuation(
    baseline: float,
    after: float,
    cycles: int,
    midas: tuple[int, int] | None = None,
    hit6: tuple[int, int] | None = None,
    mpfid: tuple[float, float] | None = None,
    *,
    response_threshold_pct: float = 50,
    partial_threshold_pct: float = 30,
    min_absolute_reduction_days: float | None = None,
    min_cycles: int = 2,
    midas_points: int = 5,
    midas_pct: float = 30,
    hit6_points: int = 5,
    mpfid_points: float = 5,
) -> Verdict:
    """Continue / reassess / stop onabotulinumtoxinA (AHS 2021).

    ``baseline`` and ``after`` are monthly headache days, normalised (per 28 or 30 days, the same for both).
    Responder (``continue``): headache days down >= ``response_threshold_pct`` (50%; some payers accept 30%,
    or ``min_absolute_reduction_days`` = 7 fewer days), or MIDAS down >= 5 points (baseline 11–20) or
    >= 30% (baseline > 20), or HIT-6 down >= 5 points, or MPFID down >= 5 points.
    Partial (``reassess``): headache days down >= ``partial_threshold_pct`` (30%) but not a responder.
    Otherwise ``stop``. Before ``min_cycles`` (2) cycles the decision is ``reassess`` (too early).
    ``midas``/``hit6``/``mpfid`` are ``(before, after)`` totals.
    """
    b = check_number(baseline, "baseline", minimum=0, maximum=31, allow_zero=False)
    a = check_number(after, "after", minimum=0, maximum=31)
    check_int(cycles, "cycles", 0)
    change = b - a
    # rounded so that e.g. 10.5 -> 7.35 days compares as exactly 30%, not 29.999999999999996%
    pct = round(change / b * 100, 9)
    reasons = [
        f"monthly headache days {b:g} at baseline, {a:g} now: {change:g} fewer ({pct:.1f}% reduction)"
        if change >= 0
        else f"monthly headache days {b:g} at baseline, {a:g} now: {-change:g} more ({-pct:.1f}% increase)"
    ]
    numbers: dict[str, object] = {
        "baseline_days": b,
        "current_days": a,
        "absolute_reduction_days": change,
        "percent_reduction": pct,
        "cycles": cycles,
        "response_threshold_pct": response_threshold_pct,
        "partial_threshold_pct": partial_threshold_pct,
    }
    criteria: list[str] = []
    if pct >= response_threshold_pct:
        criteria.append(f"headache days reduced {pct:.1f}% (>= {response_threshold_pct:g}%)")
    if min_absolute_reduction_days is not None and change >= min_absolute_reduction_days:
        criteria.append(f"{change:g} fewer headache days (>= {min_absolute_reduction_days:g})")
    for name, pair in (("midas", midas), ("hit6", hit6), ("mpfid", mpfid)):
        if pair is not None and (isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2):
            raise ValueError(f"{name}: expected (before, after), got {pair!r}")
    if midas is not None:
        mb = check_int(midas[0], "MIDAS before", 0, 450)
        ma = check_int(midas[1], "MIDAS after", 0, 450)
        d = mb - ma
        numbers["midas"] = {"before": mb, "after": ma, "reduction": d}
        if 11 <= mb <= 20:
            ok = d >= midas_points
            reasons.append(
                f"MIDAS {mb} -> {ma} ({d:+d} points reduction; {midas_points} needed at baseline 11–20)"
            )
        elif mb > 20:
            ok = d / mb * 100 >= midas_pct
            reasons.append(
                f"MIDAS {mb} -> {ma} ({d / mb * 100:.1f}% reduction; {midas_pct:g}% needed at baseline > 20)"
            )
        else:
            ok = False
            reasons.append(f"MIDAS {mb} -> {ma}: baseline <= 10, no MIDAS response criterion")
        if ok:
            criteria.append("MIDAS improvement")
    if hit6 is not None:
        hb = check_int(hit6[0], "HIT-6 before", 36, 78)
        ha = check_int(hit6[1], "HIT-6 after", 36, 78)
        numbers["hit6"] = {"before": hb, "after": ha, "reduction": hb - ha}
        reasons.append(f"HIT-6 {hb} -> {ha} ({hb - ha:+d} points reduction; {hit6_points} needed)")
        if hb - ha >= hit6_points:
            criteria.append("HIT-6 improvement")
    if mpfid is not None:
        pb = check_number(mpfid[0], "MPFID before", minimum=0)
        pa = check_number(mpfid[1], "MPFID after", minimum=0)
        numbers["mpfid"] = {"before": pb, "after": pa, "reduction": pb - pa}
        reasons.append(f"MPFID {pb:g} -> {pa:g} ({pb - pa:+g} points reduction; {mpfid_points:g} needed)")
        if pb - pa >= mpfid_points:
            criteria.append("MPFID improvement")
    responder = bool(criteria)  # any one criterion suffices (AHS 2021)
    partial = not responder and pct >= partial_threshold_pct
    if cycles < min_cycles:
        status, decision = "too_early", "reassess"
        reasons.insert(
            0,
            f"too early to judge: {cycles} cycle{'s' if cycles != 1 else ''} given, response is "
            f"judged after {min_cycles}",
        )
    elif responder:
        status, decision = "met", "continue"
        reasons.insert(0, "responder: " + "; ".join(criteria))
    elif partial:
        status, decision = "partial", "reassess"
        reasons.insert(
            0,
            f"partial response: {pct:.1f}% reduction is >= {partial_threshold_pct:g}% but below "
            f"{response_threshold_pct:g}%",
        )
    else:
        status, decision = "not_met", "stop"
        reasons.insert(
            0,
            f"non-responder after {cycles} cycles: {pct:.1f}% reduction (< {partial_threshold_pct:g}%) "
            "and no scale criterion met",
        )
    numbers["criteria_met"] = criteria
    return Verdict(met=status == "met", status=status, reasons=reasons, decision=decision, numbers=numbers)

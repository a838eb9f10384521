"""Headache diary: day classification, period summaries and medication-overuse headache.

Definitions follow the clinical reference §1–2 (IHS 2018 trial guidelines, PREEMPT, ICHD-3):

* headache day — headache lasting >= ``headache_threshold_hours`` (default 4 h), or of any duration when a
  triptan or ergot was taken for it;
* migraine day — a headache day meeting ICHD-3 1.1 C (>= 2 of one-sided, pulsating, moderate/severe,
  worse with activity) and D (nausea or vomiting, or light *and* sound sensitivity), or with aura, or
  relieved by a triptan/ergot (relief by any other medicine does not count);
* moderate/severe day — a headache day whose peak severity was moderate or severe (trials count
  "moderate/severe headache days", so a day without a qualifying headache is not counted);
* acute-medication day — any acute medicine taken, also counted per class.

Two code paths give identical results: the per-day path (:func:`classify_day`, :func:`summarize`) that the
rest of the engine uses, and a columnar numpy path (:func:`classify_bulk`, :func:`summarize_bulk`) for
population-scale work. The test-suite checks their equivalence with hypothesis.

Modules: :mod:`.days` (a day, its classification, the medication-class sets and the hours range),
:mod:`.periods` (summaries, assessment periods, calendar months and treatment cycles), :mod:`.bulk` (the
numpy path) and :mod:`.overuse` (ICHD-3 8.2). Everything is importable from this package.
"""

from .bulk import BulkClass, BulkSummary, DiaryColumns, classify_bulk, summarize_bulk
from .days import (
    BOOL_FIELDS,
    DEFAULT_HEADACHE_THRESHOLD_HOURS,
    DEFAULT_MIN_RECORDED_PER_28,
    HEADACHE_HOURS_MAX,
    HEADACHE_HOURS_MIN,
    MED_BIT,
    MEDICATION_CLASS_LABELS,
    MEDICATION_CLASSES,
    MULTIPLE_CLASSES,
    NOT_IN_VERDICT,
    SEVERITIES,
    SIMPLE_OR_NSAID,
    SINGLE_CLASS_OVERUSE,
    TRIPTAN_OR_ERGOT,
    DayClass,
    DiaryDay,
    check_headache_hours,
    classify_day,
    med_mask,
)
from .overuse import MOH_TITLE, medication_overuse, medication_overuse_from_summaries, unrecorded_note
from .periods import (
    COUNT_FIELDS,
    CYCLE_DAY_OF_MONTH,
    PERIOD_MODES,
    PeriodRule,
    PeriodSummary,
    assessment_periods,
    cycle_of_month,
    evaluate_periods,
    evaluate_summaries,
    fmt_rate,
    min_days_required,
    month_end,
    month_start,
    normalise,
    period_summaries,
    period_summary,
    replace_day,
    shift_month,
    summarize,
)

__all__ = [
    "BOOL_FIELDS",
    "COUNT_FIELDS",
    "CYCLE_DAY_OF_MONTH",
    "DEFAULT_HEADACHE_THRESHOLD_HOURS",
    "DEFAULT_MIN_RECORDED_PER_28",
    "HEADACHE_HOURS_MAX",
    "HEADACHE_HOURS_MIN",
    "MEDICATION_CLASSES",
    "MEDICATION_CLASS_LABELS",
    "MED_BIT",
    "MOH_TITLE",
    "MULTIPLE_CLASSES",
    "NOT_IN_VERDICT",
    "PERIOD_MODES",
    "SEVERITIES",
    "SIMPLE_OR_NSAID",
    "SINGLE_CLASS_OVERUSE",
    "TRIPTAN_OR_ERGOT",
    "BulkClass",
    "BulkSummary",
    "DayClass",
    "DiaryColumns",
    "DiaryDay",
    "PeriodRule",
    "PeriodSummary",
    "assessment_periods",
    "check_headache_hours",
    "classify_bulk",
    "classify_day",
    "cycle_of_month",
    "evaluate_periods",
    "evaluate_summaries",
    "fmt_rate",
    "med_mask",
    "medication_overuse",
    "medication_overuse_from_summaries",
    "min_days_required",
    "month_end",
    "month_start",
    "normalise",
    "period_summaries",
    "period_summary",
    "replace_day",
    "shift_month",
    "summarize",
    "summarize_bulk",
    "unrecorded_note",
]

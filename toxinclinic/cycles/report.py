"""The clinic's outcomes by cycle number, beside the published trials. Aggregates only.

Summed in the database from stored diary months and questionnaire totals (never diary days): each
sufficient month is given its cycle by counting the patient's sessions on or before its 15th (the
engine's ``diary.cycle_of_month``), each response by counting sessions before its day (the engine's
``cycles.score_cycle``), and both are grouped per patient and cycle. Python then applies the engine's
per-30-day rate and reduction (``clinical.cycles``) and its statistics (``clinical.outcomes_stats``),
which suppress any figure from fewer than ``MIN_GROUP_SIZE`` patients.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from toxinclinic.clinical import cycles as engine
from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.clinical import outcomes_stats as stats
from toxinclinic.clinical.diary import CYCLE_DAY_OF_MONTH
from toxinclinic.diary.models import DiaryMonth
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.visits.models import Visit

MEASURES: dict[str, tuple[str, str]] = {
    # key: (label, unit)
    "headache_days": ("Headache days", "days per 30"),
    "migraine_days": ("Migraine days", "days per 30"),
    "hit6": ("HIT-6", "points"),
    "midas": ("MIDAS", "points"),
    "twstrs": ("TWSTRS (patient-rated)", "points"),
    "pain_nrs": ("Pain score", "points of 10"),
}
BY_INDICATION = {
    engine.MIGRAINE: ("headache_days", "migraine_days", "hit6", "midas"),
    engine.DYSTONIA: ("twstrs", "pain_nrs"),
}
SCORE_KEYS = ("hit6", "midas", "twstrs", "pain_nrs")
PROTOCOL_FILTERS = {"preempt": "PREEMPT fixed sites", "preempt_ftp": "PREEMPT with follow-the-pain"}


@dataclass(frozen=True)
class Filters:
    clinic_id: int
    indication: str = engine.MIGRAINE
    product: str = ""
    protocol: str = ""
    injector_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class Row:
    cycle: int
    measure: str
    summary: stats.MeasureSummary
    references: list[ref.Figure] = field(default_factory=list)

    @property
    def label(self) -> str:
        return MEASURES[self.measure][0]

    @property
    def unit(self) -> str:
        return MEASURES[self.measure][1]


@dataclass
class Report:
    filters: Filters
    patients_with_baseline: int
    patients_suppressed: bool
    rows: list[Row]

    def cycles(self) -> list[int]:
        return sorted({r.cycle for r in self.rows})

    def rows_for(self, measure: str) -> list[Row]:
        return [r for r in self.rows if r.measure == measure]


def _sessions_before(field_name: str, *, inclusive: bool) -> Subquery:
    """Count of the outer row's patient's sessions on/before (or before) the outer ``field_name``."""
    lookup = "injected_on__lte" if inclusive else "injected_on__lt"
    return Subquery(
        TreatmentSession.objects.filter(patient_id=OuterRef("patient_id"), **{lookup: OuterRef(field_name)})
        .order_by()
        .values("patient_id")
        .annotate(c=Count("id"))
        .values("c"),
        output_field=IntegerField(),
    )


def month_counts(clinic_id: int, patient_ids: Any) -> dict[tuple[int, int], engine.Counts]:
    """Sufficient months summed per (patient, cycle), in the database."""
    cutoff = ExpressionWrapper(
        F("month") + dt.timedelta(days=CYCLE_DAY_OF_MONTH - 1), output_field=DateField()
    )
    rows = (
        DiaryMonth.objects.filter(clinic_id=clinic_id, sufficient=True, patient_id__in=patient_ids)
        .annotate(cutoff=cutoff)
        .annotate(cycle=Coalesce(_sessions_before("cutoff", inclusive=True), 0))
        .values("patient_id", "cycle")
        .annotate(n=Count("id"), rec=Sum("days_recorded"), hd=Sum("headache_days"), mg=Sum("migraine_days"))
        .values_list("patient_id", "cycle", "n", "rec", "hd", "mg")
    )
    return {(p, c): engine.Counts(n, rec, hd, mg) for p, c, n, rec, hd, mg in rows}


def score_means(clinic_id: int, patient_ids: Any) -> dict[tuple[int, int, str], float]:
    """Mean questionnaire total per (patient, cycle, instrument), in the database."""
    rows = (
        QuestionnaireResponse.objects.filter(
            clinic_id=clinic_id, instrument__in=SCORE_KEYS, patient_id__in=patient_ids
        )
        .annotate(cycle=Coalesce(_sessions_before("completed_on", inclusive=False), 0))
        .values("patient_id", "cycle", "instrument")
        .annotate(mean=Avg("total"))
        .values_list("patient_id", "cycle", "instrument", "mean")
    )
    return {(p, c, i): round(float(m), 1) for p, c, i, m in rows}


def session_filter(f: Filters) -> Any:
    """The clinic's sessions matching the filters."""
    qs = TreatmentSession.objects.filter(clinic_id=f.clinic_id, indication=f.indication)
    if f.product:
        qs = qs.filter(product=f.product)
    if f.start:
        qs = qs.filter(injected_on__gte=f.start)
    if f.end:
        qs = qs.filter(injected_on__lte=f.end)
    if f.protocol or f.injector_id:
        visits = Visit.objects.filter(clinic_id=f.clinic_id)
        if f.protocol:
            visits = visits.filter(protocol=f.protocol)
        if f.injector_id:
            visits = visits.filter(clinician_id=f.injector_id)
        qs = qs.filter(visit_id__in=visits.values("public_id"))
    return qs


def cycle_sessions(f: Filters) -> list[tuple[int, int]]:
    """(patient id, cycle number) of every session matching the filters; the number counts all of the
    patient's sessions up to it (a filtered-out earlier session still counts as a cycle)."""
    qs = session_filter(f).annotate(n=_sessions_before("injected_on", inclusive=True))
    return list(qs.values_list("patient_id", "n"))


def build(f: Filters) -> Report:
    pairs = cycle_sessions(f)
    if not pairs:
        return Report(f, 0, True, [])
    ids = session_filter(f).order_by().values("patient_id")
    counts = month_counts(f.clinic_id, ids)
    scores = score_means(f.clinic_id, ids)
    migraine = f.indication == engine.MIGRAINE
    changes: dict[tuple[int, str], list[stats.CycleChange]] = defaultdict(list)
    with_baseline: set[int] = set()
    for p, n in pairs:
        if migraine:
            base = counts.get((p, 0))
            b = base.headache_per_30 if base else None
            if b is None:
                continue
            with_baseline.add(p)
            c = counts.get((p, n))
            if c is not None and c.headache_per_30 is not None:
                changes[(n, "headache_days")].append(
                    stats.CycleChange(
                        round(c.headache_per_30 - b, 1), engine.reduction_pct(b, c.headache_per_30)
                    )
                )
                if base is not None and base.migraine_per_30 is not None and c.migraine_per_30 is not None:
                    changes[(n, "migraine_days")].append(
                        stats.CycleChange(round(c.migraine_per_30 - base.migraine_per_30, 1))
                    )
        elif (p, 0, "twstrs") in scores:
            with_baseline.add(p)
        else:
            continue
        for key in BY_INDICATION[f.indication]:
            if key in SCORE_KEYS and (p, 0, key) in scores and (p, n, key) in scores:
                changes[(n, key)].append(
                    stats.CycleChange(round(scores[(p, n, key)] - scores[(p, 0, key)], 1))
                )
    rows = []
    for (n, key), ch in sorted(
        changes.items(), key=lambda kv: (kv[0][0], BY_INDICATION[f.indication].index(kv[0][1]))
    ):
        pub = ref.figures_for(key, n) + (
            ref.figures_for("responders_50", n) if key == "headache_days" else []
        )
        if key == "hit6":
            pub += ref.figures_for("hit6_responders", n)
        rows.append(Row(n, key, stats.summarize(key, n, ch), pub if migraine else []))
    n_base = len(with_baseline)
    return Report(f, n_base, stats.suppressed(n_base), rows)


def csv_rows(report: Report) -> list[list[str]]:
    """The report as CSV lines: suppressed figures are written as "fewer than 5", never as numbers."""

    def est(e: stats.Estimate | None) -> list[str]:
        if e is None:
            return ["", "", ""]
        if e.suppressed:
            return [f"fewer than {stats.MIN_GROUP_SIZE} patients", "", ""]
        return [_s(e.value), _s(e.low), _s(e.high)]

    out = [
        [
            "cycle", "measure", "unit", "patients", "mean change", "mean 95% low", "mean 95% high",
            "median change", "median 95% low", "median 95% high", "50% responders %", "50% low", "50% high",
            "30% responders %", "30% low", "30% high",
        ]
    ]  # fmt: skip
    for r in report.rows:
        s = r.summary
        patients = str(s.n) if not stats.suppressed(s.n) else f"fewer than {stats.MIN_GROUP_SIZE}"
        out.append(
            [
                str(r.cycle),
                r.label,
                r.unit,
                patients,
                *est(s.mean),
                *est(s.median),
                *est(s.responders_50),
                *est(s.responders_30),
            ]
        )
    return out


def _s(v: float | None) -> str:
    return "" if v is None else f"{v:g}"

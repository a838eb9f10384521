"""The clinic's outcomes by cycle number, beside the published trials. Aggregates only.

Summed in the database from the stored per-cycle outcomes (``cycles.models.CycleOutcome``: one row per
signed session, written by ``cycles.outcomes`` whenever a session, a diary month's counts or a
questionnaire changes, judged by the engine's ``clinical.cycles.cycle_outcomes``), never from diary days
or per-patient Python: per cycle, one ``GROUP BY`` gives each measure's (change, patients) histogram and
one gives the responder counts. The engine's statistics (``clinical.outcomes_stats.summarize_counts``)
read mean, t interval, median and its order-statistic interval off the histogram (exactly the figures
the values themselves give) and Wilson intervals from the counts, and suppress any figure from fewer than
``MIN_GROUP_SIZE`` patients."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from toxinclinic.clinical import cycles as engine
from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.clinical import outcomes_stats as stats
from toxinclinic.cycles.models import CycleOutcome

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


#: The stored column of each measure's change (``cycles.models.CycleOutcome``).
COLUMNS = {
    "headache_days": "headache_change",
    "migraine_days": "migraine_change",
    **{key: f"{key}_change" for key in ("hit6", "midas", "twstrs", "pain_nrs")},
}


def stored(f: Filters) -> Any:
    """The clinic's stored cycle outcomes matching the filters (one row per signed session; the cycle
    number counts all the patient's sessions, so a filtered-out earlier session still counts)."""
    qs = CycleOutcome.objects.filter(clinic_id=f.clinic_id, indication=f.indication)
    if f.product:
        qs = qs.filter(product=f.product)
    if f.start:
        qs = qs.filter(injected_on__gte=f.start)
    if f.end:
        qs = qs.filter(injected_on__lte=f.end)
    if f.protocol:
        qs = qs.filter(protocol=f.protocol)
    if f.injector_id:
        qs = qs.filter(injector_id=f.injector_id)
    return qs


def histograms(f: Filters, measure: str) -> dict[int, list[tuple[float, int]]]:
    """Per cycle, the sorted (change, patients) histogram of one measure: a GROUP BY in the database,
    so only distinct values cross to Python (medians are read off it, not computed in SQL)."""
    col = COLUMNS[measure]
    rows = (
        stored(f)
        .filter(has_baseline=True, **{f"{col}__isnull": False})
        .values_list("cycle", col)
        .annotate(k=Count("id"))
        .order_by("cycle", col)
    )
    out: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for n, v, k in rows:
        out[n].append((v, k))
    return out


def responders(f: Filters) -> dict[int, tuple[int, int, int]]:
    """Per cycle: (patients with a headache reduction figure, of them >= 50 %, of them >= 30 %)."""
    rows = (
        stored(f)
        .filter(has_baseline=True, responder_50__isnull=False)
        .values("cycle")
        .annotate(
            n=Count("id"),
            r50=Count("id", filter=Q(responder_50=True)),
            r30=Count("id", filter=Q(responder_30=True)),
        )
        .values_list("cycle", "n", "r50", "r30")
    )
    return {c: (n, a, b) for c, n, a, b in rows}


def build(f: Filters) -> Report:
    """The report from the stored cycle outcomes: one distinct count, one responder count and one
    histogram per measure, each a GROUP BY over the filtered rows."""
    migraine = f.indication == engine.MIGRAINE
    n_base = stored(f).filter(has_baseline=True).values("patient_id").distinct().count()
    resp = responders(f) if migraine else {}
    rows = []
    per_measure = {key: histograms(f, key) for key in BY_INDICATION[f.indication]}
    order = BY_INDICATION[f.indication]
    keys = sorted(
        ((n, key) for key, h in per_measure.items() for n in h), key=lambda k: (k[0], order.index(k[1]))
    )
    for n, key in keys:
        pub = ref.figures_for(key, n) + (
            ref.figures_for("responders_50", n) if key == "headache_days" else []
        )
        if key == "hit6":
            pub += ref.figures_for("hit6_responders", n)
        r = resp.get(n) if key == "headache_days" else None
        rows.append(
            Row(n, key, stats.summarize_counts(key, n, per_measure[key][n], r), pub if migraine else [])
        )
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

"""The outcomes report as it was computed before the stored per-cycle rows (kept only to measure it).

Stored month counts and questionnaire totals given their cycle by a running sum over one window per
patient in the database, then per patient and cycle in Python (the engine's per-30 rate, reduction and
statistics). ``bench_outcomes`` times it beside today's ``cycles.report.build`` and checks that both give
the same report.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, F, Window

from toxinclinic.clinical import cycles as engine
from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.clinical import outcomes_stats as stats
from toxinclinic.clinical.diary import CYCLE_DAY_OF_MONTH
from toxinclinic.cycles.report import BY_INDICATION, Filters, Report, Row
from toxinclinic.diary.models import DiaryMonth
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.visits.models import Visit

SCORE_KEYS = ("hit6", "midas", "twstrs", "pain_nrs")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _shifted(column: str, days: int) -> str:
    """SQL for ``column`` (a date) plus ``days`` days, on both databases."""
    if connection.vendor == "sqlite":
        return f"date({column}, '{days:+d} days')"
    return f"({column} + {days:d})"


def _numbered_events(kind: str) -> str:
    """The clinic's sessions and month (or response) rows in one stream per patient, each row carrying the
    number of sessions before it (a running sum over a window: one sort, no per-row sub-query).

    Months: a session counts when given on or before the month's 15th (``diary.cycle_of_month``), i.e. its
    date − 14 days is on or before the month's first day; sessions sort first on a tie. Responses: a
    session counts when given before the response's day (``cycles.score_cycle``); responses sort first.
    """
    sessions = _q(TreatmentSession._meta.db_table)
    if kind == "months":
        other = _q(DiaryMonth._meta.db_table)
        shift = _shifted("injected_on", -(CYCLE_DAY_OF_MONTH - 1))
        rows = (
            f"SELECT patient_id, month AS d, 0 AS is_s, days_recorded AS a, headache_days AS b, "  # noqa: S608
            f"migraine_days AS c, '' AS k FROM {other} WHERE clinic_id = %s AND sufficient"
        )
        tie = "is_s DESC"
    else:
        other = _q(QuestionnaireResponse._meta.db_table)
        shift = "injected_on"
        keys = ", ".join("'" + k + "'" for k in SCORE_KEYS)
        rows = (
            f"SELECT patient_id, completed_on AS d, 0 AS is_s, 0 AS a, total AS b, 0 AS c, instrument AS k "  # noqa: S608
            f"FROM {other} WHERE clinic_id = %s AND instrument IN ({keys})"
        )
        tie = "is_s ASC"
    # Table names come from the models, the clinic is a parameter.
    return (
        f"SELECT patient_id, is_s, a, b, c, k, SUM(is_s) OVER (PARTITION BY patient_id ORDER BY d, {tie} "  # noqa: S608
        f"ROWS UNBOUNDED PRECEDING) AS cycle FROM (SELECT patient_id, {shift} AS d, 1 AS is_s, 0 AS a, "
        f"0 AS b, 0 AS c, '' AS k FROM {sessions} WHERE clinic_id = %s UNION ALL {rows}) ev"
    )


def month_counts(clinic_id: int) -> dict[tuple[int, int], engine.Counts]:
    """Sufficient months summed per (patient, cycle), in the database."""
    sql = (
        "SELECT patient_id, cycle, COUNT(*), SUM(a), SUM(b), SUM(c) FROM ("  # noqa: S608
        + _numbered_events("months")
        + ") n WHERE is_s = 0 GROUP BY patient_id, cycle"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [clinic_id, clinic_id])
        return {
            (p, int(c)): engine.Counts(int(n), int(a), int(b), int(m)) for p, c, n, a, b, m in cur.fetchall()
        }


def score_means(clinic_id: int) -> dict[tuple[int, int, str], float]:
    """Mean questionnaire total per (patient, cycle, instrument), in the database."""
    sql = (
        "SELECT patient_id, cycle, k, AVG(b) FROM ("  # noqa: S608
        + _numbered_events("scores")
        + ") n WHERE is_s = 0 GROUP BY patient_id, cycle, k"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [clinic_id, clinic_id])
        return {(p, int(c), k): round(float(m), 1) for p, c, k, m in cur.fetchall()}


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
    patient's sessions up to it (a filtered-out earlier session still counts as a cycle), by a window."""
    numbered = (
        TreatmentSession.objects.filter(clinic_id=f.clinic_id)
        .annotate(n=Window(Count("id"), partition_by=[F("patient_id")], order_by=F("injected_on").asc()))
        .values_list("id", "patient_id", "n")
    )
    wanted = set(session_filter(f).values_list("id", flat=True))
    return [(p, int(n)) for i, p, n in numbered if i in wanted]


def build(f: Filters) -> Report:
    """The report as ``cycles.report.build`` computed it before the stored cycle rows."""
    pairs = cycle_sessions(f)
    if not pairs:
        return Report(f, 0, True, [])
    counts = month_counts(f.clinic_id)
    scores = score_means(f.clinic_id)
    migraine = f.indication == engine.MIGRAINE
    # Each (patient, cycle)'s rates once (the engine's per-30 rule), not once per comparison.
    rates = {k: (c.headache_per_30, c.migraine_per_30) for k, c in counts.items()}
    score_keys = [k for k in BY_INDICATION[f.indication] if k in SCORE_KEYS]
    changes: dict[tuple[int, str], list[stats.CycleChange]] = defaultdict(list)
    with_baseline: set[int] = set()
    none = (None, None)
    for p, n in pairs:
        if migraine:
            b, bm = rates.get((p, 0), none)
            if b is None:
                continue
            with_baseline.add(p)
            a, am = rates.get((p, n), none)
            if a is not None:
                changes[(n, "headache_days")].append(
                    stats.CycleChange(round(a - b, 1), engine.reduction_pct(b, a))
                )
                if bm is not None and am is not None:
                    changes[(n, "migraine_days")].append(stats.CycleChange(round(am - bm, 1)))
        elif (p, 0, "twstrs") in scores:
            with_baseline.add(p)
        else:
            continue
        for key in score_keys:
            before, after = scores.get((p, 0, key)), scores.get((p, n, key))
            if before is not None and after is not None:
                changes[(n, key)].append(stats.CycleChange(round(after - before, 1)))
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

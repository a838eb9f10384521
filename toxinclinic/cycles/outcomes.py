"""The one writer of stored per-cycle outcomes (:class:`toxinclinic.cycles.models.CycleOutcome`).

A patient's rows are recomputed whole from their stored facts — signed sessions (treatment), the visit's
protocol and injector (visits), sufficient diary months (diary) and questionnaire totals (outcomes) — by
the engine's :func:`clinical.cycles.cycle_outcomes`, then upserted (one row per session; a
session's row is deleted with it). Called by the receivers (a session recorded, a month's counts stored, a
questionnaire answered) and in bulk by ``refresh_cycle_outcomes`` / the demo.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from toxinclinic.clinical import cycles as engine
from toxinclinic.core.rawsql import Table
from toxinclinic.cycles.models import CycleOutcome
from toxinclinic.diary.models import DiaryMonth
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.visits.models import Visit

SCORE_KEYS = sorted({k for keys in engine.REPORTED_SCORES.values() for k in keys})
_COLUMNS = [
    "patient", "clinic", "indication", "product", "protocol", "injector", "injected_on", "cycle",
    "has_baseline", "headache_change", "migraine_change", "reduction_pct", "responder_50", "responder_30",
    *(f"{k}_change" for k in SCORE_KEYS), "updated_at",
]  # fmt: skip
# What a refresh reads (plain model-shaped SELECTs: it runs inside every diary save that counts).
_SESSIONS = Table(
    TreatmentSession, ["id", "patient_id", "clinic_id", "visit_id", "injected_on", "product", "indication"]
)
_MONTHS = Table(
    DiaryMonth,
    [
        "patient_id",
        "month",
        "days_in_period",
        "days_recorded",
        "headache_days",
        "migraine_days",
        "sufficient",
    ],
)
_SCORES = Table(QuestionnaireResponse, ["patient_id", "instrument", "completed_on", "total"])
_VISITS = Table(Visit, ["public_id", "protocol", "clinician_id"])


def _select(
    t: Table, ids: list[int], *, also: str = "", params: Sequence[Any] = (), order: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """``t``'s rows of the patients ``ids`` (and ``also``), as ``{attname: value}``."""
    where = f"{t.column('patient_id')} IN ({', '.join(['%s'] * len(ids))})" + (f" AND {also}" if also else "")
    by = f" ORDER BY {', '.join(t.column(a) for a in order)}" if order else ""
    with connection.cursor() as cur:
        cur.execute(f"SELECT {t.columns} FROM {t.name} WHERE {where}{by}", [*ids, *params])  # noqa: S608
        return [t.from_db(r) for r in cur.fetchall()]


#: Patients recomputed per round of a bulk refresh (bounded memory, few large queries).
CHUNK = 2000


#: First key of the PostgreSQL advisory lock that makes one patient's refreshes take turns.
LOCK_CLASS = 1717


def refresh_patient(patient_id: int) -> int:
    """Recompute one patient's stored cycle outcomes; returns how many rows they have.

    Called inside the writer's transaction. On PostgreSQL two writers of one patient (a diary save and a
    session recorded at once) take turns on an advisory lock held to commit, so the second reads the
    first's committed facts and the last rows written include both; only these refreshes take that lock,
    so it cannot deadlock with the writers' own row locks. SQLite writers already take turns.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, patient_id])
        return refresh_patients([patient_id])


def refresh_patients(patient_ids: Iterable[int]) -> int:
    """Recompute the stored cycle outcomes of ``patient_ids`` (a handful of queries however many)."""
    ids = list(patient_ids)
    if not ids:
        return 0
    sessions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in _select(_SESSIONS, ids, order=("injected_on", "id")):
        sessions[s["patient_id"]].append(s)
    months: dict[int, list[engine.MonthCounts]] = defaultdict(list)
    for m in _select(_MONTHS, ids, also=f"{_MONTHS.column('sufficient')} = %s", params=[True]):
        months[m["patient_id"]].append(engine.MonthCounts(*(m[k] for k in _MONTHS.attnames[1:])))
    scores: dict[int, list[engine.Score]] = defaultdict(list)
    keys = ", ".join(["%s"] * len(SCORE_KEYS))
    for r in _select(_SCORES, ids, also=f"{_SCORES.column('instrument')} IN ({keys})", params=SCORE_KEYS):
        scores[r["patient_id"]].append(engine.Score(r["instrument"], r["completed_on"], r["total"]))
    visits = {v["public_id"]: (v["protocol"], v["clinician_id"]) for v in _select(_VISITS, ids)}
    rows = []
    for p, ss in sessions.items():
        judged = engine.cycle_outcomes(
            [(s["injected_on"], s["indication"]) for s in ss], months.get(p, []), scores.get(p, [])
        )
        for s, o in zip(ss, judged, strict=True):
            protocol, injector = visits.get(s["visit_id"], ("", None))
            rows.append(
                CycleOutcome(
                    session_id=s["id"],
                    patient_id=p,
                    clinic_id=s["clinic_id"],
                    indication=s["indication"],
                    product=s["product"],
                    protocol=protocol,
                    injector_id=injector,
                    injected_on=s["injected_on"],
                    cycle=o.number,
                    has_baseline=o.has_baseline,
                    headache_change=o.headache_change,
                    migraine_change=o.migraine_change,
                    reduction_pct=o.reduction_pct,
                    responder_50=o.responder(50),
                    responder_30=o.responder(30),
                    **{f"{k}_change": o.score_changes.get(k) for k in SCORE_KEYS},
                )
            )
    # A session's row goes with the session (cascade); a session never changes patient.
    if rows:
        CycleOutcome.objects.bulk_create(
            rows, batch_size=1000, update_conflicts=True, unique_fields=["session"], update_fields=_COLUMNS
        )
    return len(rows)


def refresh_clinic(clinic_id: int) -> int:
    """Recompute every stored cycle outcome of one clinic, :data:`CHUNK` patients at a time (a backfill:
    it takes no per-patient lock, so run it when the clinic's facts are not being written, or again)."""
    ids = list(Patient.objects.filter(clinic_id=clinic_id).order_by("id").values_list("id", flat=True))
    return sum(refresh_patients(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK))

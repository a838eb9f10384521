"""Treatment-cycle operations of the JSON API: a patient's timeline (their own, or a patient of the
staff member's clinic) and the clinic's aggregate outcomes by cycle."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router

from toxinclinic.audit.services import log_action
from toxinclinic.clinical import cycles as engine
from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.clinical import outcomes_stats as stats
from toxinclinic.core.errors import FieldError
from toxinclinic.core.schemas import Schema
from toxinclinic.cycles import report, services
from toxinclinic.cycles.permissions import can_view_clinic_outcomes, can_view_cycles
from toxinclinic.patients.access import chart_for, own_patient

API_PREFIX = "/cycles"
router = Router(tags=["cycles"])


class TimelineOut(Schema):
    indication: str
    indication_label: str
    usable_baseline: bool
    baseline: dict[str, Any] = Field(
        ..., description="months, days_recorded, headache/migraine days per 30, scores"
    )
    reasons: list[str]
    cycles: list[dict[str, Any]] = Field(
        ...,
        description="oldest first: session, check-ins, side effects, diary, questionnaires, recall, verdict",
    )


@router.get("/mine", response=TimelineOut, summary="My treatment cycles")
def my_cycles(request: HttpRequest) -> Any:
    return services.timeline_dict(services.patient_timeline(own_patient(request.user)))


@router.get(
    "/patients/{patient_id}", response=TimelineOut, summary="A patient's treatment cycles (clinical staff)"
)
def patient_cycles(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, can=can_view_cycles, what="treatment cycles (API)")
    return services.timeline_dict(services.patient_timeline(patient))


class ReportQuery(Schema):
    indication: str = engine.MIGRAINE
    product: str = ""
    protocol: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


class EstimateOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    patients: int | None = Field(..., description="None when fewer than 5 (suppressed)")
    suppressed: bool


class RowOut(Schema):
    cycle: int
    measure: str
    label: str
    unit: str
    mean: EstimateOut
    median: EstimateOut
    responders_50_pct: EstimateOut | None
    responders_30_pct: EstimateOut | None
    published: list[dict[str, Any]]


class CycleReportOut(Schema):
    patients_with_baseline: int | None = Field(..., description="None when fewer than 5")
    min_group_size: int
    rows: list[RowOut]


def _est(e: stats.Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "value": e.value,
        "low": e.low,
        "high": e.high,
        "patients": None if e.suppressed else e.n,
        "suppressed": e.suppressed,
    }


@router.get(
    "/outcomes", response=CycleReportOut, summary="The clinic's outcomes by cycle (clinicians, admins)"
)
def clinic_outcomes(request: HttpRequest, q: Query[ReportQuery]) -> Any:
    user = request.user
    if not can_view_clinic_outcomes(user):
        raise PermissionDenied("Clinicians and clinic admins see the clinic's outcomes.")
    if q.indication not in report.BY_INDICATION:
        raise FieldError.one("indication", "Give chronic_migraine or cervical_dystonia.")
    if q.protocol and q.protocol not in report.PROTOCOL_FILTERS:
        raise FieldError.one("protocol", "Give preempt or preempt_ftp, or leave it out.")
    if q.start and q.end and q.start > q.end:
        raise FieldError.one("end", "The end of the period is before its start: give an end on or after it.")
    f = report.Filters(user.clinic_id, q.indication, q.product, q.protocol, None, q.start, q.end)  # type: ignore[union-attr]
    rep = report.build(f)
    log_action(
        "outcomes_report.viewed",
        actor=user,
        clinic_id=user.clinic_id,  # type: ignore[union-attr]
        data={"api": True, "indication": q.indication, "product": q.product, "protocol": q.protocol},
    )
    rows = [
        {
            "cycle": r.cycle,
            "measure": r.measure,
            "label": r.label,
            "unit": r.unit,
            "mean": _est(r.summary.mean),
            "median": _est(r.summary.median),
            "responders_50_pct": _est(r.summary.responders_50),
            "responders_30_pct": _est(r.summary.responders_30),
            "published": [
                {
                    "value": p.value,
                    "unit": p.unit,
                    "arm": p.arm,
                    "timepoint": p.timepoint,
                    "source": ref.cite(p.source),
                }
                for p in r.references
            ],
        }
        for r in rep.rows
    ]
    return {
        "patients_with_baseline": None if rep.patients_suppressed else rep.patients_with_baseline,
        "min_group_size": stats.MIN_GROUP_SIZE,
        "rows": rows,
    }

"""Coverage in the JSON API: a patient's authorizations (list, record, move) and the packet as JSON."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Status

from toxinclinic.core.schemas import Schema, errors
from toxinclinic.coverage import packet, services
from toxinclinic.coverage.models import PriorAuthorization
from toxinclinic.coverage.permissions import can_manage_coverage
from toxinclinic.patients.access import chart_for

API_PREFIX = "/coverage"
router = Router(tags=["coverage"])


class AuthorizationOut(Schema):
    id: uuid.UUID
    payer: str
    status: str
    status_label: str
    renewal: bool
    reference: str
    units_per_session: int | None
    visits_approved: int | None
    visits_left: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    denial_reason: str
    version: int


#: The columns' ranges (PositiveIntegerField, PositiveSmallIntegerField): a number beyond them is a 422
#: naming the field, not a database error (PostgreSQL refused -14296913 visits with a 500; the fuzzer).
Units = Annotated[int, Field(ge=0, le=2_147_483_647, description="U per session")]
Visits = Annotated[int, Field(ge=0, le=32_767, description="Injection sessions the payer approved")]


class AuthorizationIn(Schema):
    payer: str
    status: str = "drafted"
    renewal: bool = False
    reference: str = ""
    units_per_session: Units | None = None
    visits_approved: Visits | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    denial_reason: str = ""


class AuthorizationMove(Schema):
    status: str
    version: int
    units_per_session: Units | None = None
    visits_approved: Visits | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    denial_reason: str | None = None
    reference: str | None = None


def _out(a: PriorAuthorization) -> dict[str, Any]:
    return {
        "id": a.public_id,
        "payer": a.payer,
        "status": a.status,
        "status_label": a.get_status_display(),
        "renewal": a.renewal,
        "reference": a.reference,
        "units_per_session": a.units_per_session,
        "visits_approved": a.visits_approved,
        "visits_left": services.visits_left(a, services.session_dates(a.patient_id)),
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "denial_reason": a.denial_reason,
        "version": a.version,
    }


@router.get(
    "/patients/{patient_id}/authorizations", response=list[AuthorizationOut], summary="Authorizations"
)
def list_authorizations(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what="authorizations (API)")
    return [_out(a) for a in PriorAuthorization.objects.filter(patient=patient).order_by("-id")]


@router.post(
    "/patients/{patient_id}/authorizations",
    response={201: AuthorizationOut},
    summary="Record an authorization (any status, e.g. an approval entered from the payer's letter)",
)
def record_authorization(request: HttpRequest, patient_id: uuid.UUID, payload: AuthorizationIn) -> Any:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what=None)
    data = payload.dict()
    status = data.pop("status")
    return Status(
        201, _out(services.record_authorization(patient, actor=request.user, status=status, **data))
    )


@router.post(
    "/patients/{patient_id}/authorizations/{auth_id}/status",
    response={200: AuthorizationOut, **errors(409)},
    summary="Move an authorization (submitted, approved, denied, appealed) with what the payer said",
)
def move_authorization(
    request: HttpRequest, patient_id: uuid.UUID, auth_id: uuid.UUID, payload: AuthorizationMove
) -> Any:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what=None)
    auth = get_object_or_404(PriorAuthorization, patient=patient, public_id=auth_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    status, version = data.pop("status"), data.pop("version")
    return _out(services.move_authorization(auth, status, actor=request.user, version=version, **data))


@router.get("/patients/{patient_id}/packet", response=dict[str, Any], summary="The packet as structured JSON")
def get_packet(request: HttpRequest, patient_id: uuid.UUID, authorization: uuid.UUID | None = None) -> Any:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what="coverage packet (API)")
    auth = (
        get_object_or_404(PriorAuthorization, patient=patient, public_id=authorization)
        if authorization
        else None
    )
    return packet.build(patient, auth)

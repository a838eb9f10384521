"""Recall list, appointments and free slots in the JSON API.

Mounted at the API root: ``/recalls`` (as before), ``/appointments``, ``/appointments/slots``.
Refusals are ``FieldError`` (422, with the engine's reasons), stale or finished appointments ``Conflict``.
"""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from toxinclinic.accounts.models import User
from toxinclinic.audit.services import record_read
from toxinclinic.core.errors import FieldError
from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import Schema, errors
from toxinclinic.patients.access import chart_for
from toxinclinic.scheduling import attendance, booking
from toxinclinic.scheduling.models import Appointment, AppointmentKind
from toxinclinic.scheduling.permissions import can_book, can_view_recall_list
from toxinclinic.scheduling.services import DUE_SOON_DAYS, recall_list

API_PREFIX = ""
router = Router(tags=["scheduling"])


class RecallOut(Schema):
    patient: uuid.UUID
    patient_name: str
    mrn: str
    indication: str
    product: str
    last_session_on: dt.date
    opens_on: dt.date
    due_on: dt.date
    last_visit: uuid.UUID

    @staticmethod
    def resolve_patient(obj: Any) -> uuid.UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_patient_name(obj: Any) -> str:
        return obj.patient.full_name

    @staticmethod
    def resolve_mrn(obj: Any) -> str:
        return obj.patient.mrn

    @staticmethod
    def resolve_last_visit(obj: Any) -> uuid.UUID:
        return obj.last_visit_id


@router.get("/recalls", response=list[RecallOut], summary="Recall list: overdue, due within N days, or all")
@paginate(Pages)
def list_recalls(request: HttpRequest, which: str = "due", days: int = DUE_SOON_DAYS) -> Any:
    if not can_view_recall_list(request.user):
        raise PermissionDenied
    which = which if which in ("due", "overdue", "all") else "due"
    return recall_list(request.user, timezone.localdate(), which=which, days=max(0, min(days, 365)))


# ------------------------------------------------------------------------------------ appointments


class AppointmentOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID
    clinician: uuid.UUID
    clinician_name: str
    kind: str
    kind_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    status_reason: str
    early_accepted: bool
    sequence: int
    visit: uuid.UUID | None

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_patient(obj: Any) -> uuid.UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_clinician(obj: Any) -> uuid.UUID:
        return obj.clinician.public_id

    @staticmethod
    def resolve_clinician_name(obj: Any) -> str:
        return obj.clinician.display_name

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_visit(obj: Any) -> uuid.UUID | None:
        return obj.visit_id


class SlotOut(Schema):
    clinician: uuid.UUID
    clinician_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class SlotsOut(Schema):
    kind: str
    window_opens: dt.date | None
    search_from: dt.datetime
    search_to: dt.datetime
    slots: list[SlotOut]


class BookIn(Schema):
    patient: uuid.UUID
    clinician: uuid.UUID
    kind: str = AppointmentKind.INJECTION
    starts_at: dt.datetime
    accept_early: bool = False


class CancelIn(Schema):
    reason: str
    sequence: int | None = None


class RescheduleIn(Schema):
    starts_at: dt.datetime
    reason: str
    clinician: uuid.UUID | None = None
    accept_early: bool = False
    sequence: int | None = None


class NoShowIn(Schema):
    reason: str = ""


class AttendedIn(Schema):
    reason: str = ""
    sequence: int | None = None


def _staff(request: HttpRequest) -> None:
    if not can_book(request.user):
        raise PermissionDenied


def _clinician(request: HttpRequest, public_id: uuid.UUID) -> User:
    c = User.objects.filter(public_id=public_id, clinic_id=request.user.clinic_id).first()
    if c is None:
        raise FieldError({"clinician": ["Choose a clinician or nurse of your clinic."]})
    return c


def _appointment(request: HttpRequest, public_id: uuid.UUID) -> Appointment:
    _staff(request)
    appt = (
        Appointment.objects.filter(public_id=public_id, clinic_id=request.user.clinic_id)
        .select_related("patient", "clinician", "clinic")
        .first()
    )
    if appt is None:
        raise Http404("No such appointment.")
    return appt


@router.get("/appointments/slots", response=SlotsOut, summary="A patient's next free slots in their window")
def list_slots(request: HttpRequest, patient: uuid.UUID, kind: str = "injection", limit: int = 12) -> Any:
    _staff(request)
    p = chart_for(request, patient, what="appointments (API)")
    if kind not in AppointmentKind.values:
        raise FieldError({"kind": [f"Choose one of: {', '.join(AppointmentKind.values)}."]})
    s = booking.free_slots(p, kind=kind, limit=max(1, min(limit, 50)))
    return {
        "kind": kind,
        "window_opens": s.window.opens if s.window else None,
        "search_from": s.search_from,
        "search_to": s.search_to,
        "slots": [
            {
                "clinician": x.clinician.public_id,
                "clinician_name": x.clinician.display_name,
                "starts_at": x.start,
                "ends_at": x.end,
            }
            for x in s.slots
        ],
    }


@router.get("/appointments", response=list[AppointmentOut], summary="Appointments, optionally one patient's")
@paginate(Pages)
def list_appointments(request: HttpRequest, patient: uuid.UUID | None = None, upcoming: bool = True) -> Any:
    _staff(request)
    qs = Appointment.objects.filter(clinic_id=request.user.clinic_id).select_related("patient", "clinician")
    if patient is not None:
        qs = qs.filter(patient=chart_for(request, patient, what="appointments (API)"))
    if upcoming:
        qs = qs.filter(ends_at__gt=timezone.now())
    return qs.order_by("starts_at", "id")


@router.post("/appointments", response={201: AppointmentOut}, summary="Book an appointment")
def create_appointment(request: HttpRequest, payload: BookIn) -> Any:
    _staff(request)
    p = chart_for(request, payload.patient, what=None)
    appt = booking.book(
        p, actor=request.user, clinician=_clinician(request, payload.clinician), kind=payload.kind,
        starts_at=payload.starts_at, accept_early=payload.accept_early,
    )  # fmt: skip
    return Status(201, appt)


@router.get("/appointments/{public_id}", response=AppointmentOut, summary="One appointment")
def get_appointment(request: HttpRequest, public_id: uuid.UUID) -> Any:
    appt = _appointment(request, public_id)
    record_read(appt.patient, actor=request.user, what="appointment (API)")  # as the HTML view does
    return appt


@router.post(
    "/appointments/{public_id}/cancel",
    response={200: AppointmentOut, **errors(409)},
    summary="Cancel with a reason",
)
def cancel_appointment(request: HttpRequest, public_id: uuid.UUID, payload: CancelIn) -> Any:
    appt = _appointment(request, public_id)
    return booking.cancel(appt, actor=request.user, reason=payload.reason, expected_sequence=payload.sequence)


@router.post(
    "/appointments/{public_id}/reschedule",
    response={200: AppointmentOut, **errors(409)},
    summary="Move with a reason",
)
def reschedule_appointment(request: HttpRequest, public_id: uuid.UUID, payload: RescheduleIn) -> Any:
    appt = _appointment(request, public_id)
    who = _clinician(request, payload.clinician) if payload.clinician else None
    return booking.reschedule(
        appt, actor=request.user, starts_at=payload.starts_at, reason=payload.reason, clinician=who,
        accept_early=payload.accept_early, expected_sequence=payload.sequence,
    )  # fmt: skip


@router.post(
    "/appointments/{public_id}/no-show",
    response={200: AppointmentOut, **errors(409)},
    summary="Record did not attend",
)
def no_show(request: HttpRequest, public_id: uuid.UUID, payload: NoShowIn) -> Any:
    appt = _appointment(request, public_id)
    return booking.mark_no_show(appt, actor=request.user, reason=payload.reason)


@router.post(
    "/appointments/{public_id}/attended",
    response={200: AppointmentOut, **errors(409)},
    summary="Record attended (on the appointment's day or after)",
)
def attended(request: HttpRequest, public_id: uuid.UUID, payload: AttendedIn) -> Any:
    appt = _appointment(request, public_id)
    return attendance.mark_attended(
        appt, actor=request.user, reason=payload.reason, expected_sequence=payload.sequence
    )

"""After-injection operations of the JSON API: side effects, check-ins, my treatment, and the clinic's
triage queue and adverse-event records. Paths say what they hold (mounted at the API root)."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.services import record_read
from toxinclinic.clinical import triage
from toxinclinic.core.errors import FieldError
from toxinclinic.core.fields import REQUIRED_TEXT, checked_enum, model_choices
from toxinclinic.core.schemas import Schema, errors
from toxinclinic.patients.access import chart_for, own_patient
from toxinclinic.patients.services import parse_public_id
from toxinclinic.safety import services
from toxinclinic.safety.advice import advice_text
from toxinclinic.safety.forms import AdverseEventForm
from toxinclinic.safety.models import (
    SERIOUSNESS_CRITERIA,
    AdverseEvent,
    CheckIn,
    SideEffectReport,
    TriageItem,
)
from toxinclinic.safety.permissions import (
    can_answer_check_in,
    can_handle_triage_item,
    can_record_adverse_event,
    can_report_side_effect,
    can_view_adverse_events,
    can_view_treatment,
    can_work_triage_queue,
)
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.services import sessions_for, treatment_status

API_PREFIX = ""
router = Router(tags=["after injection"])


# ------------------------------------------------------------------------------------------ schemas


class SymptomOut(Schema):
    key: str
    label: str
    urgent: bool


class SymptomsIn(Schema):
    symptoms: list[checked_enum(triage.SYMPTOMS)] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Symptom keys from GET /side-effects/symptoms"
    )
    other_text: str = Field("", description="Anything else, in the patient's words")


class ContactOut(Schema):
    emergency_number: str
    clinic_phone: str


class ReportOut(Schema):
    id: uuid.UUID
    reported_at: dt.datetime
    source: str
    symptoms: list[str]
    symptom_labels: list[str]
    other_text: str
    days_since_injection: int
    level: str = Field(..., description="urgent | routine (clinical.triage)")
    advice: str = Field(..., description="emergency | call_clinic | routine_review")
    advice_text: str
    reasons: list[str]
    contact: ContactOut


class SessionOut(Schema):
    id: uuid.UUID
    visit_id: uuid.UUID
    injected_on: dt.date
    product: str
    indication: str
    total_units: float = Field(..., description="U of the product")
    sites: list[dict[str, Any]]


class CheckInOut(Schema):
    id: uuid.UUID
    day_offset: int
    due_on: dt.date
    state: str = Field(..., description="open | upcoming | answered | missed")
    session_id: uuid.UUID
    injected_on: dt.date


class AftercareOut(Schema):
    key: str
    text: str
    urgent: bool


class TreatmentOut(Schema):
    last_session: SessionOut | None
    days_since_last_session: int | None
    next_window_opens: dt.date | None
    window_open: bool
    aftercare: list[AftercareOut]
    check_ins: list[CheckInOut]
    contact: ContactOut


def _contact(clinic: Any) -> dict[str, str]:
    return {"emergency_number": clinic.emergency_number, "clinic_phone": clinic.phone}


def _report_out(rep: SideEffectReport) -> dict[str, Any]:
    clinic = rep.patient.clinic
    return {
        "id": rep.public_id,
        "reported_at": rep.reported_at,
        "source": rep.source,
        "symptoms": rep.symptoms,
        "symptom_labels": rep.symptom_labels,
        "other_text": rep.other_text,
        "days_since_injection": rep.days_since_injection,
        "level": rep.level,
        "advice": rep.advice,
        "advice_text": advice_text(
            rep.advice,
            emergency=clinic.emergency_number,
            phone=clinic.phone,
            injected_on=format_date(rep.session.injected_on, clinic, "long") if rep.session else "recently",
        ),
        "reasons": rep.reasons,
        "contact": _contact(clinic),
    }


def _session_out(s: TreatmentSession) -> dict[str, Any]:
    return {
        "id": s.public_id,
        "visit_id": s.visit_id,
        "injected_on": s.injected_on,
        "product": s.product,
        "indication": s.indication,
        "total_units": s.total_units,
        "sites": s.sites,
    }


def check_in_out(ci: CheckIn) -> dict[str, Any]:
    """A check-in as ``CheckInOut`` (also read by the patient's to-do in ``home.api``)."""
    return {
        "id": ci.public_id,
        "day_offset": ci.day_offset,
        "due_on": ci.due_on,
        "state": services.check_in_state(ci),
        "session_id": ci.session.public_id,
        "injected_on": ci.session.injected_on,
    }


# ------------------------------------------------------------------------------------------ patient


@router.get("/side-effects/symptoms", response=list[SymptomOut], summary="Symptoms a patient can report")
def side_effect_symptoms(request: HttpRequest) -> Any:
    return [{"key": k, "label": v, "urgent": k in triage.URGENT_SYMPTOMS} for k, v in triage.SYMPTOMS.items()]


@router.post(
    "/side-effects",
    response={201: ReportOut},
    summary="Report side effects now (triaged at once; urgent ones go to the top of the clinic's queue)",
)
def report_side_effect(request: HttpRequest, payload: SymptomsIn) -> Any:
    patient = own_patient(request.user)
    if not can_report_side_effect(request.user, patient):
        raise PermissionDenied
    rep = services.report_side_effect(
        patient, symptoms=payload.symptoms, other_text=payload.other_text, actor=request.user
    )
    return Status(201, _report_out(rep))


@router.get("/side-effects", response=list[ReportOut], summary="My side-effect reports, newest first")
def list_my_side_effects(request: HttpRequest) -> Any:
    patient = own_patient(request.user)
    reps = SideEffectReport.objects.filter(patient=patient).select_related("patient__clinic", "session")[:100]
    return [_report_out(r) for r in reps]


@router.get(
    "/check-ins", response=list[CheckInOut], summary="My check-ins after injections (open ones first)"
)
def list_my_check_ins(request: HttpRequest) -> Any:
    patient = own_patient(request.user)
    cis = CheckIn.objects.filter(patient=patient).select_related("session").order_by("-due_on")[:20]
    out = [check_in_out(c) for c in cis]
    return sorted(out, key=lambda c: (c["state"] != "open", c["due_on"]))


class CheckInAnswerOut(Schema):
    check_in: CheckInOut
    report: ReportOut | None = Field(None, description="Present when symptoms were reported")


@router.post(
    "/check-ins/{check_in_id}",
    response=CheckInAnswerOut,
    summary="Answer a check-in: no symptoms closes it; any symptom becomes a triaged report",
)
def answer_check_in(request: HttpRequest, check_in_id: uuid.UUID, payload: SymptomsIn) -> Any:
    patient = own_patient(request.user)
    ci = CheckIn.objects.filter(public_id=check_in_id, patient=patient).select_related("session").first()
    if ci is None or not can_answer_check_in(request.user, patient):
        raise Http404("No such check-in.")
    rep = services.answer_check_in(
        ci, symptoms=payload.symptoms, other_text=payload.other_text, actor=request.user
    )
    ci.refresh_from_db()
    return {"check_in": check_in_out(ci), "report": _report_out(rep) if rep else None}


@router.get(
    "/treatment",
    response=TreatmentOut,
    summary="My last session, when the next injection window opens, aftercare and open check-ins",
)
def my_treatment(request: HttpRequest) -> Any:
    patient = own_patient(request.user)
    if not can_view_treatment(request.user, patient):
        raise PermissionDenied
    st = treatment_status(patient)
    return {
        "last_session": _session_out(st.last) if st.last else None,
        "days_since_last_session": st.days_since,
        "next_window_opens": st.window.opens if st.window else None,
        "window_open": st.window_open,
        "aftercare": [{"key": a.key, "text": a.text, "urgent": a.urgent} for a in st.aftercare],
        "check_ins": [check_in_out(c) for c in services.open_check_ins(patient)],
        "contact": _contact(patient.clinic),
    }


@router.get(
    "/treatment/patients/{patient_id}/sessions",
    response=list[SessionOut],
    summary="A patient's treatment sessions (snapshots of signed visits)",
)
def list_treatment_sessions(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, can=can_view_treatment, what="treatment sessions (API)")
    return [_session_out(s) for s in sessions_for(patient)]


# ------------------------------------------------------------------------------------------ clinic


class PatientRef(Schema):
    id: uuid.UUID
    mrn: str
    name: str
    phone: str


class TriageItemOut(Schema):
    id: uuid.UUID
    level: str
    status: str
    reported_at: dt.datetime
    minutes_since_report: int
    patient: PatientRef
    report: ReportOut
    last_session: SessionOut | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    called_back_by: str | None
    called_back_at: dt.datetime | None
    call_back_notes: str
    outcome: str
    version: int


def _item_out(i: TriageItem) -> dict[str, Any]:
    p = i.patient
    return {
        "id": i.public_id,
        "level": i.level,
        "status": i.status,
        "reported_at": i.reported_at,
        "minutes_since_report": int((timezone.now() - i.reported_at).total_seconds() // 60),
        "patient": {"id": p.public_id, "mrn": p.mrn, "name": p.full_name, "phone": p.phone},
        "report": _report_out(i.report),
        "last_session": _session_out(i.report.session) if i.report.session else None,
        "acknowledged_by": i.acknowledged_by.display_name if i.acknowledged_by else None,
        "acknowledged_at": i.acknowledged_at,
        "called_back_by": i.called_back_by.display_name if i.called_back_by else None,
        "called_back_at": i.called_back_at,
        "call_back_notes": i.call_back_notes,
        "outcome": i.outcome,
        "version": i.version,
    }


def _item(request: HttpRequest, item_id: uuid.UUID) -> TriageItem:
    if not can_work_triage_queue(request.user):
        raise PermissionDenied
    item = (
        TriageItem.objects.filter(public_id=parse_public_id(item_id), clinic_id=request.user.clinic_id)
        .select_related("patient__clinic", "report__session", "acknowledged_by", "called_back_by")
        .first()
    )
    if item is None or not can_handle_triage_item(request.user, item):
        raise Http404("No such triage item.")
    return item


@router.get(
    "/triage", response=list[TriageItemOut], summary="The clinic's triage queue: urgent first, then oldest"
)
def triage_queue(request: HttpRequest, include_closed: bool = False) -> Any:
    if not can_work_triage_queue(request.user):
        raise PermissionDenied
    qs = services.triage_queue(request.user.clinic_id, include_closed=include_closed).select_related(
        "patient__clinic", "called_back_by"
    )
    return [_item_out(i) for i in qs[:200]]


@router.get("/triage/{item_id}", response=TriageItemOut, summary="One triage item")
def read_triage_item(request: HttpRequest, item_id: uuid.UUID) -> Any:
    item = _item(request, item_id)
    record_read(item.patient, actor=request.user, what="triage item (API)")
    return _item_out(item)


class VersionIn(Schema):
    version: int = Field(..., description="The version you read; a stale one gets 409.")


@router.post(
    "/triage/{item_id}/acknowledge",
    response={200: TriageItemOut, **errors(409)},
    summary="Acknowledge: I am handling it",
)
def acknowledge_triage_item(request: HttpRequest, item_id: uuid.UUID, payload: VersionIn) -> Any:
    item = _item(request, item_id)
    return _item_out(services.acknowledge(item, actor=request.user, version=payload.version))


class CallBackIn(Schema):
    version: int
    notes: str = Field(..., json_schema_extra=REQUIRED_TEXT)
    outcome: model_choices(TriageItem, "outcome", exclude=("",))  # type: ignore[valid-type]
    close: bool = True


@router.post(
    "/triage/{item_id}/call-back",
    response={200: TriageItemOut, **errors(409)},
    summary="Record the call-back and its outcome",
)
def record_triage_call_back(request: HttpRequest, item_id: uuid.UUID, payload: CallBackIn) -> Any:
    item = _item(request, item_id)
    updated = services.record_call_back(
        item,
        actor=request.user,
        version=payload.version,
        notes=payload.notes,
        outcome=payload.outcome,
        close=payload.close,
    )
    return _item_out(updated)


class AdverseEventIn(Schema):
    term: str = Field(..., json_schema_extra=REQUIRED_TEXT)
    severity: model_choices(AdverseEvent, "severity")  # type: ignore[valid-type]
    serious: bool = False
    seriousness_criteria: list[checked_enum(SERIOUSNESS_CRITERIA)] = Field(default_factory=list)  # type: ignore[valid-type]
    onset_day: int = Field(..., description="Days after the injection it began (0 = same day)")
    outcome: model_choices(AdverseEvent, "outcome")  # type: ignore[valid-type]
    notes: str = ""


class AdverseEventOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    triage_item_id: uuid.UUID | None
    term: str
    severity: str
    serious: bool
    seriousness_criteria: list[str]
    onset_day: int
    outcome: str
    notes: str
    recorded_at: dt.datetime
    recorded_by: str | None
    version: int


def _ae_out(ae: AdverseEvent) -> dict[str, Any]:
    return {
        "id": ae.public_id,
        "patient_id": ae.patient.public_id,
        "triage_item_id": ae.triage_item.public_id if ae.triage_item else None,
        "term": ae.term,
        "severity": ae.severity,
        "serious": ae.serious,
        "seriousness_criteria": ae.seriousness_criteria,
        "onset_day": ae.onset_day,
        "outcome": ae.outcome,
        "notes": ae.notes,
        "recorded_at": ae.recorded_at,
        "recorded_by": ae.recorded_by.display_name if ae.recorded_by else None,
        "version": ae.version,
    }


@router.post(
    "/triage/{item_id}/adverse-events",
    response={201: AdverseEventOut},
    summary="Turn a triage item into an adverse-event record",
)
def create_adverse_event(request: HttpRequest, item_id: uuid.UUID, payload: AdverseEventIn) -> Any:
    item = _item(request, item_id)
    if not can_record_adverse_event(request.user, item.patient):
        raise PermissionDenied
    session = item.report.session
    max_day = (timezone.localdate() - session.injected_on).days if session else None
    data = payload.dict()
    form = AdverseEventForm({**data, "serious": "on" if data["serious"] else ""}, max_onset_day=max_day)
    if not form.is_valid():
        raise FieldError.from_form(form)
    ae = services.create_adverse_event(
        item.patient,
        actor=request.user,
        data={k: form.cleaned_data[k] for k in AdverseEventForm.Meta.fields},
        item=item,
    )
    return Status(201, _ae_out(ae))


@router.get(
    "/adverse-events/patients/{patient_id}",
    response=list[AdverseEventOut],
    summary="A patient's adverse-event records (clinical staff)",
)
def list_adverse_events(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, can=can_view_adverse_events, what="adverse events (API)")
    qs = AdverseEvent.objects.filter(patient=patient).select_related("patient", "triage_item", "recorded_by")
    return [_ae_out(a) for a in qs]

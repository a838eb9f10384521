"""The injection visit's JSON API: every step of the visit (screening, consent, protocol, injections, the
live dose check, vials, signature, amendments, note versions) and outside toxin injections.

Writes carry the ``version`` the caller read; a stale one gets 409, a signed note 409 with how to amend.
Clinical verdicts in responses are the engine's, as in the HTML screens.
"""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Status
from ninja.pagination import paginate

from toxinclinic.accounts.models import Location
from toxinclinic.api.fields import REQUIRED_TEXT, checked_enum, model_choices
from toxinclinic.audit.services import record_read
from toxinclinic.clinical import protocols
from toxinclinic.core.errors import FieldError
from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import Schema
from toxinclinic.patients.services import get_patient
from toxinclinic.visits import permissions as perms
from toxinclinic.visits import services as svc
from toxinclinic.visits.models import (
    BillingLine,
    Consent,
    InjectionSite,
    OutsideInjection,
    SignedNote,
    Visit,
)

API_PREFIX = "/visits"
router = Router(tags=["visits"])


# --- schemas ---------------------------------------------------------------------------------------


class VisitIn(Schema):
    patient: uuid.UUID
    visit_date: dt.date
    indication: model_choices(Visit, "indication")  # type: ignore[valid-type]
    product: model_choices(Visit, "product")  # type: ignore[valid-type]
    location: uuid.UUID | None = None


class VisitPatch(Schema):
    version: int = Field(..., description="The version you read; a stale one gets 409.")
    visit_date: dt.date | None = None
    indication: model_choices(Visit, "indication") | None = None  # type: ignore[valid-type]
    product: model_choices(Visit, "product") | None = None  # type: ignore[valid-type]
    guidance: model_choices(Visit, "guidance") | None = Field(None, description="'' is none")  # type: ignore[valid-type]
    notes: str | None = None
    location: uuid.UUID | None = None


class ScreeningIn(Schema):
    version: int
    answers: dict[str, bool | None] = Field(
        ...,
        description="Checklist key -> yes (true) / no (false). Every question that applies must be "
        "answered: a missing or null answer is refused (422, one message per question) and nothing is "
        "stored. Questions listed as not_applicable by GET may be left out.",
    )


class ConsentIn(Schema):
    version: int
    discussed_benefits: bool
    discussed_common_effects: bool
    discussed_serious_effects: bool
    discussed_alternatives: bool
    consented_by: model_choices(Consent, "consented_by") = "patient"  # type: ignore[valid-type]
    consenter_name: str = Field(..., max_length=200, json_schema_extra=REQUIRED_TEXT)
    consented_at: dt.datetime = Field(..., description="ISO 8601; without a UTC offset: clinic local time")
    notes: str = ""


class ProtocolIn(Schema):
    version: int
    protocol: checked_enum((*protocols.PROTOCOL_KEYS, svc.LAST_SESSION)) = Field(  # type: ignore[valid-type]
        ..., description="An engine template key, or last_session (the patient's last signed session)"
    )
    pain_side: checked_enum(("left", "right", "both")) = Field(  # type: ignore[valid-type]
        "both", description="PREEMPT follow-the-pain side"
    )


class SiteIn(Schema):
    site_id: str = Field(..., max_length=60, json_schema_extra=REQUIRED_TEXT)
    muscle: model_choices(InjectionSite, "muscle")  # type: ignore[valid-type]
    side: model_choices(InjectionSite, "side")  # type: ignore[valid-type]
    units: Decimal = Field(..., description="U of the visit's product")
    follow_the_pain: bool = False


class InjectionsIn(Schema):
    version: int
    sites: list[SiteIn]


class CheckIn(Schema):
    sites: list[SiteIn] | None = Field(None, description="Draft sites to check; the saved sites if omitted.")


class VialUseIn(Schema):
    version: int
    vial: uuid.UUID
    diluent_ml: Decimal
    reconstituted_at: dt.datetime = Field(
        ..., description="ISO 8601; without a UTC offset: clinic local time"
    )
    units_administered: Decimal
    units_discarded: Decimal


class SignIn(Schema):
    version: int
    overrides: dict[str, str] = Field(
        default_factory=dict, description="Hard-stop rule -> the prescriber's reason (prescribers only)."
    )
    acknowledge_warnings: bool = False


class AmendIn(Schema):
    version: int
    reason: str
    notes: str


class OutsideIn(Schema):
    given_on: dt.date
    product: model_choices(OutsideInjection, "product")  # type: ignore[valid-type]
    units: Decimal = Field(
        ...,
        description="U of that product (not converted)",
        json_schema_extra={"exclusiveMinimum": 0, "maximum": 10000},  # checked by the service, in words
    )
    indication: model_choices(OutsideInjection, "indication")  # type: ignore[valid-type]
    where: str = Field(..., max_length=200, json_schema_extra=REQUIRED_TEXT)


class OutsideOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    given_on: dt.date
    product: str
    units: float
    indication: str
    where: str


class VisitRow(Schema):
    id: uuid.UUID = Field(alias="public_id")
    patient: uuid.UUID
    patient_name: str
    visit_date: dt.date
    indication: str
    product: str
    status: str
    version: int

    @staticmethod
    def resolve_patient(obj: Visit) -> uuid.UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_patient_name(obj: Visit) -> str:
        return obj.patient.full_name


class NoteVersionOut(Schema):
    version: int
    signed_at: dt.datetime
    signed_by: str
    amendment_reason: str
    content: dict[str, Any] | None = None


class BillingOut(Schema):
    visit: uuid.UUID
    visit_date: dt.date
    patient_name: str
    mrn: str
    code: str
    modifiers: list[str]
    units: int
    description: str

    @staticmethod
    def resolve_visit(obj: BillingLine) -> uuid.UUID:
        return obj.visit.public_id

    @staticmethod
    def resolve_visit_date(obj: BillingLine) -> dt.date:
        return obj.visit.visit_date

    @staticmethod
    def resolve_patient_name(obj: BillingLine) -> str:
        return obj.visit.patient.full_name

    @staticmethod
    def resolve_mrn(obj: BillingLine) -> str:
        return obj.visit.patient.mrn

    @staticmethod
    def resolve_modifiers(obj: BillingLine) -> list[str]:
        return [m for m in obj.modifiers.split(",") if m]


# --- helpers ---------------------------------------------------------------------------------------


def _visit_for_prep(request: HttpRequest, visit_id: uuid.UUID) -> Visit:
    visit = svc.get_visit(request.user, visit_id)
    if not perms.can_prepare_visit(request.user, visit):
        raise PermissionDenied
    return visit


def _location(request: HttpRequest, public_id: uuid.UUID | None) -> Location | None:
    if public_id is None:
        return None
    loc = Location.objects.filter(public_id=public_id, clinic_id=request.user.clinic_id).first()
    if loc is None:
        raise FieldError({"location": ["Choose one of your clinic's locations."]})
    return loc


def visit_detail(visit: Visit) -> dict[str, Any]:
    consent = Consent.objects.filter(visit=visit).first()
    answers = svc.screening_answers(visit)
    out: dict[str, Any] = {
        "id": str(visit.public_id),
        "patient": str(visit.patient.public_id),
        "patient_name": visit.patient.full_name,
        "visit_date": visit.visit_date.isoformat(),
        "indication": visit.indication,
        "product": visit.product,
        "protocol": visit.protocol,
        "pain_side": visit.pain_side,
        "guidance": visit.guidance,
        "notes": visit.notes,
        "status": visit.status,
        "version": visit.version,
        "location": str(visit.location.public_id) if visit.location_id else None,
        "nurse": visit.nurse.display_name if visit.nurse_id else None,
        "clinician": visit.clinician.display_name if visit.clinician_id else None,
        "screening": {
            "answers": answers,
            "not_applicable": svc.saved_not_applicable(visit),
            "items": svc.screening_items(visit, answers) if answers is not None else None,
            "screened_at": visit.screened_at.isoformat() if visit.screened_at else None,
        },
        "consent": {
            "discussed_benefits": consent.discussed_benefits,
            "discussed_common_effects": consent.discussed_common_effects,
            "discussed_serious_effects": consent.discussed_serious_effects,
            "discussed_alternatives": consent.discussed_alternatives,
            "consented_by": consent.consented_by,
            "consenter_name": consent.consenter_name,
            "consented_at": consent.consented_at.isoformat(),
            "complete": consent.complete,
        }
        if consent
        else None,
        "sites": [svc.site_dict(s) for s in visit.sites.all()],
        "vials": [
            {
                "id": str(u.public_id),
                "vial": str(u.vial.public_id),
                "lot": u.vial.lot.lot_number,
                "expiry": u.vial.lot.expiry_date.isoformat(),
                "size_units": u.vial.size_units,
                "diluent_ml": float(u.vial.diluent_ml) if u.vial.diluent_ml is not None else None,
                "units_per_0_1_ml": u.vial.units_per_0_1_ml,
                "reconstituted_at": u.vial.reconstituted_at.isoformat() if u.vial.reconstituted_at else None,
                "beyond_use_at": u.vial.beyond_use_at.isoformat() if u.vial.beyond_use_at else None,
                "units_administered": float(u.units_administered),
                "units_discarded": float(u.units_discarded),
            }
            for u in visit.vial_uses.select_related("vial__lot")
        ],
        "billing": [
            {"code": b.code, "modifiers": [m for m in b.modifiers.split(",") if m], "units": b.units}
            for b in visit.billing_lines.all()
        ],
        "note_versions": [n.version for n in visit.notes_versions.all()],
    }
    if not visit.is_signed and visit.sites.exists():
        try:
            out["check"] = svc.check_payload(svc.dose_check(visit))
        except FieldError:
            out["check"] = None
    return out


def _sites(raw: list[SiteIn]) -> list[svc.DraftSite]:
    return svc.parse_sites([s.dict() for s in raw])


# --- operations ------------------------------------------------------------------------------------


@router.get("", response=list[VisitRow], summary="List the clinic's visits (by date, status, patient)")
@paginate(Pages)
def list_visits(
    request: HttpRequest, on: dt.date | None = None, status: str = "", patient: uuid.UUID | None = None
) -> Any:
    if not perms.can_list_visits(request.user):
        raise PermissionDenied
    qs = svc.visits_for(request.user).select_related("patient")
    if on is not None:
        qs = qs.filter(visit_date=on)
    if status:
        qs = qs.filter(status=status)
    if patient is not None:
        qs = qs.filter(patient=get_patient(request.user, patient))
    return qs


@router.post("", response={201: dict}, summary="Start a visit for a patient")
def create_visit(request: HttpRequest, payload: VisitIn) -> Any:
    if not perms.can_start_visit(request.user):
        raise PermissionDenied
    patient = get_patient(request.user, payload.patient)
    visit = svc.create_visit(
        patient,
        actor=request.user,
        visit_date=payload.visit_date,
        indication=payload.indication,
        product=payload.product,
        location=_location(request, payload.location),
    )
    return Status(201, visit_detail(visit))


@router.get("/billing", response=list[BillingOut], summary="Billing lines of signed visits (coordinator)")
@paginate(Pages)
def list_billing_lines(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    if not perms.can_view_billing(request.user):
        raise PermissionDenied
    qs = BillingLine.objects.filter(visit__clinic_id=request.user.clinic_id).select_related("visit__patient")
    if start:
        qs = qs.filter(visit__visit_date__gte=start)
    if end:
        qs = qs.filter(visit__visit_date__lte=end)
    # A queryset, so the paginator reads one page of lines, not the clinic's whole billing history.
    return qs.order_by("-visit__visit_date", "visit_id", "position")


@router.get("/{visit_id}", response=dict, summary="Read a visit: screening, consent, sites, vials, check")
def read_visit(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    record_read(visit.patient, actor=request.user, what="visit (API)")
    return visit_detail(visit)


@router.patch("/{visit_id}", response=dict, summary="Change a draft visit (product, indication, note …)")
def update_visit(request: HttpRequest, visit_id: uuid.UUID, payload: VisitPatch) -> Any:
    visit = _visit_for_prep(request, visit_id)
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    if "location" in changes:
        changes["location"] = _location(request, changes["location"])
    changes = {k: v for k, v in changes.items() if v is not None or k == "location"}
    visit = svc.update_visit(visit, payload.version, actor=request.user, **changes)
    return visit_detail(visit)


@router.get("/{visit_id}/screening", response=dict, summary="The screening checklist, prefilled")
def read_screening(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    record_read(visit.patient, actor=request.user, what="visit screening (API)")
    history = svc.history_sessions(visit.patient, exclude=visit)
    prefill = svc.screening_prefill(visit, history)
    answers = svc.screening_answers(visit)
    # Before saving, only what the chart holds is answered (each with its source); the rest is null.
    shown: dict[str, bool | None] = {
        k: (answers if answers is not None else prefill.answers).get(k)
        for k in svc.SCREENING_KEYS
        if k not in prefill.not_applicable
    }
    return {
        "saved": answers is not None,
        "answers": shown,
        "sources": prefill.sources,
        "hints": prefill.hints,
        "not_applicable": prefill.not_applicable,
        "items": svc.screening_items(
            visit, shown, history, na=prefill.not_applicable, sources=prefill.sources
        ),
        "version": visit.version,
    }


@router.put("/{visit_id}/screening", response=dict, summary="Record the screening answers")
def save_screening(request: HttpRequest, visit_id: uuid.UUID, payload: ScreeningIn) -> Any:
    visit = _visit_for_prep(request, visit_id)
    visit = svc.save_screening(visit, payload.version, actor=request.user, answers=payload.answers)
    return visit_detail(visit)


@router.put("/{visit_id}/consent", response=dict, summary="Record consent")
def save_consent(request: HttpRequest, visit_id: uuid.UUID, payload: ConsentIn) -> Any:
    visit = _visit_for_prep(request, visit_id)
    visit = svc.save_consent(visit, payload.version, actor=request.user, **payload.dict(exclude={"version"}))
    return visit_detail(visit)


@router.post("/{visit_id}/protocol", response=dict, summary="Prefill the sites from a template")
def apply_protocol(request: HttpRequest, visit_id: uuid.UUID, payload: ProtocolIn) -> Any:
    visit = _visit_for_prep(request, visit_id)
    visit = svc.apply_protocol(
        visit, payload.version, actor=request.user, key=payload.protocol, pain_side=payload.pain_side
    )
    return visit_detail(visit)


@router.put("/{visit_id}/injections", response=dict, summary="Save the charted injection sites")
def save_injections(request: HttpRequest, visit_id: uuid.UUID, payload: InjectionsIn) -> Any:
    visit = _visit_for_prep(request, visit_id)
    visit = svc.save_injections(visit, payload.version, actor=request.user, sites=_sites(payload.sites))
    return visit_detail(visit)


@router.post("/{visit_id}/check", response=dict, summary="Live dose check of draft sites (nothing saved)")
def check_injections(request: HttpRequest, visit_id: uuid.UUID, payload: CheckIn) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    if not perms.can_prepare_visit(request.user, visit):
        raise PermissionDenied
    sites = _sites(payload.sites) if payload.sites is not None else None
    result = svc.check_payload(svc.dose_check(visit, sites))
    # The findings quote the patient's toxin history: a read, as on the chart page that the HTML check serves.
    record_read(visit.patient, actor=request.user, what="visit dose check (API)")
    return result


@router.post("/{visit_id}/vials", response={201: dict}, summary="Record a vial opened for this visit")
def add_vial_use(request: HttpRequest, visit_id: uuid.UUID, payload: VialUseIn) -> Any:
    visit = _visit_for_prep(request, visit_id)
    visit = svc.add_vial_use(
        visit,
        payload.version,
        actor=request.user,
        vial_id=payload.vial,
        diluent_ml=payload.diluent_ml,
        reconstituted_at=payload.reconstituted_at,
        units_administered=payload.units_administered,
        units_discarded=payload.units_discarded,
    )
    return Status(201, visit_detail(visit))


@router.delete("/{visit_id}/vials/{use_id}", response=dict, summary="Return a vial picked by mistake")
def remove_vial_use(request: HttpRequest, visit_id: uuid.UUID, use_id: uuid.UUID, version: int) -> Any:
    visit = _visit_for_prep(request, visit_id)
    visit = svc.remove_vial_use(visit, version, actor=request.user, use_id=str(use_id))
    return visit_detail(visit)


@router.post("/{visit_id}/signature", response={201: NoteVersionOut}, summary="Sign the note")
def sign_visit(request: HttpRequest, visit_id: uuid.UUID, payload: SignIn) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    if not perms.can_sign_this_visit(request.user, visit):
        raise PermissionDenied
    note = svc.sign_visit(
        visit,
        request.user,
        expected_version=payload.version,
        overrides=payload.overrides,
        acknowledge_warnings=payload.acknowledge_warnings,
    )
    return Status(201, _note_out(note, with_content=True))


@router.post("/{visit_id}/amendments", response={201: NoteVersionOut}, summary="Amend a signed note")
def amend_visit(request: HttpRequest, visit_id: uuid.UUID, payload: AmendIn) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    if not perms.can_amend_visit(request.user, visit):
        raise PermissionDenied
    note = svc.amend_visit(
        visit, request.user, reason=payload.reason, notes=payload.notes, expected_version=payload.version
    )
    return Status(201, _note_out(note, with_content=True))


def _note_out(note: SignedNote, with_content: bool = False) -> dict[str, Any]:
    return {
        "version": note.version,
        "signed_at": note.signed_at,
        "signed_by": note.signed_by.display_name,
        "amendment_reason": note.amendment_reason,
        "content": note.content if with_content else None,
    }


@router.get("/{visit_id}/notes", response=list[NoteVersionOut], summary="Every signed version of the note")
def list_note_versions(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    record_read(visit.patient, actor=request.user, what="note versions (API)")
    return [_note_out(n) for n in visit.notes_versions.select_related("signed_by")]


@router.get("/{visit_id}/notes/{version}", response=NoteVersionOut, summary="One signed version of the note")
def read_note_version(request: HttpRequest, visit_id: uuid.UUID, version: int) -> Any:
    visit = svc.get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).select_related("signed_by").first()
    if note is None:
        raise Http404("No such note version.")
    record_read(visit.patient, actor=request.user, what=f"signed note v{version} (API)")
    return _note_out(note, with_content=True)


@router.get("/{visit_id}/notes/{version}/pdf", summary="The signed note version as PDF")
def note_version_pdf(request: HttpRequest, visit_id: uuid.UUID, version: int) -> HttpResponse:
    from toxinclinic.visits.views import note_pdf_response

    visit = svc.get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).first()
    if note is None:
        raise Http404("No such note version.")
    return note_pdf_response(request, note)


@router.get(
    "/patients/{patient_id}/outside-injections",
    response=list[OutsideOut],
    summary="Toxin injections given elsewhere",
)
def list_outside_injections(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = get_patient(request.user, patient_id)
    if not perms.can_list_visits(request.user):
        raise PermissionDenied
    record_read(patient, actor=request.user, what="toxin given elsewhere (API)")
    return OutsideInjection.objects.filter(patient=patient)


@router.post(
    "/patients/{patient_id}/outside-injections",
    response={201: OutsideOut},
    summary="Record a toxin injection given elsewhere (cosmetic included)",
)
def create_outside_injection(request: HttpRequest, patient_id: uuid.UUID, payload: OutsideIn) -> Any:
    patient = get_patient(request.user, patient_id)
    if not perms.can_record_outside_injection(request.user, patient):
        raise PermissionDenied
    row = svc.record_outside_injection(patient, actor=request.user, **payload.dict())
    return Status(201, row)

"""The injection visit's JSON API: every step of the visit (screening, consent, protocol, injections, the
live dose check, vials, signature, amendments, note versions) and outside toxin injections.

Writes carry the ``version`` the caller read; a stale one gets 409, a signed note 409 with how to amend.
Clinical verdicts in responses are the engine's, as in the HTML screens.
"""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from toxinclinic.accounts.models import Location
from toxinclinic.audit.services import record_read
from toxinclinic.core.errors import FieldError
from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import errors
from toxinclinic.patients.access import chart_for
from toxinclinic.visits import charting, drafts, signing, vials
from toxinclinic.visits import permissions as perms
from toxinclinic.visits.checks import DraftSite, dose_check
from toxinclinic.visits.history import history_sessions
from toxinclinic.visits.models import BillingLine, OutsideInjection
from toxinclinic.visits.schemas import (
    AmendIn,
    BillingOut,
    CheckIn,
    ConsentIn,
    InjectionsIn,
    NoteVersionOut,
    OutsideIn,
    OutsideOut,
    ProtocolIn,
    ScreeningIn,
    SignIn,
    SiteIn,
    VialUseIn,
    VisitIn,
    VisitPatch,
    VisitRow,
    check_payload,
    note_out,
    visit_detail,
)
from toxinclinic.visits.screening import SCREENING_KEYS, screening_answers, screening_items, screening_prefill
from toxinclinic.visits.services import get_visit, record_outside_injection, visits_for

API_PREFIX = "/visits"
router = Router(tags=["visits"])


# --- helpers ---------------------------------------------------------------------------------------


def _location(request: HttpRequest, public_id: uuid.UUID | None) -> Location | None:
    if public_id is None:
        return None
    loc = Location.objects.filter(public_id=public_id, clinic_id=request.user.clinic_id).first()
    if loc is None:
        raise FieldError({"location": ["Choose one of your clinic's locations."]})
    return loc


def _sites(raw: list[SiteIn]) -> list[DraftSite]:
    return charting.parse_sites([s.dict() for s in raw])


# --- operations ------------------------------------------------------------------------------------


@router.get("", response=list[VisitRow], summary="List the clinic's visits (by date, status, patient)")
@paginate(Pages)
def list_visits(
    request: HttpRequest, on: dt.date | None = None, status: str = "", patient: uuid.UUID | None = None
) -> Any:
    if not perms.can_list_visits(request.user):
        raise PermissionDenied
    qs = visits_for(request.user).select_related("patient")
    if on is not None:
        qs = qs.filter(visit_date=on)
    if status:
        qs = qs.filter(status=status)
    if patient is not None:
        qs = qs.filter(patient=chart_for(request, patient, what=None))
    return qs


@router.post("", response={201: dict}, summary="Start a visit for a patient")
def create_visit(request: HttpRequest, payload: VisitIn) -> Any:
    if not perms.can_start_visit(request.user):
        raise PermissionDenied
    patient = chart_for(request, payload.patient, what=None)
    visit = drafts.create_visit(
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
    visit = get_visit(request.user, visit_id)
    record_read(visit.patient, actor=request.user, what="visit (API)")
    return visit_detail(visit)


@router.patch(
    "/{visit_id}",
    response={200: dict, **errors(409)},
    summary="Change a draft visit (product, indication, note …)",
)
def update_visit(request: HttpRequest, visit_id: uuid.UUID, payload: VisitPatch) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    if "location" in changes:
        changes["location"] = _location(request, changes["location"])
    changes = {k: v for k, v in changes.items() if v is not None or k == "location"}
    visit = drafts.update_visit(visit, payload.version, actor=request.user, **changes)
    return visit_detail(visit)


@router.get("/{visit_id}/screening", response=dict, summary="The screening checklist, prefilled")
def read_screening(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    visit = get_visit(request.user, visit_id)
    record_read(visit.patient, actor=request.user, what="visit screening (API)")
    history = history_sessions(visit.patient, exclude=visit)
    prefill = screening_prefill(visit, history)
    answers = screening_answers(visit)
    # Before saving, only what the chart holds is answered (each with its source); the rest is null.
    shown: dict[str, bool | None] = {
        k: (answers if answers is not None else prefill.answers).get(k)
        for k in SCREENING_KEYS
        if k not in prefill.not_applicable
    }
    return {
        "saved": answers is not None,
        "answers": shown,
        "sources": prefill.sources,
        "hints": prefill.hints,
        "not_applicable": prefill.not_applicable,
        "items": screening_items(visit, shown, history, na=prefill.not_applicable, sources=prefill.sources),
        "version": visit.version,
    }


@router.put(
    "/{visit_id}/screening", response={200: dict, **errors(409)}, summary="Record the screening answers"
)
def save_screening(request: HttpRequest, visit_id: uuid.UUID, payload: ScreeningIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    visit = drafts.save_screening(visit, payload.version, actor=request.user, answers=payload.answers)
    return visit_detail(visit)


@router.put("/{visit_id}/consent", response={200: dict, **errors(409)}, summary="Record consent")
def save_consent(request: HttpRequest, visit_id: uuid.UUID, payload: ConsentIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    visit = drafts.save_consent(
        visit, payload.version, actor=request.user, **payload.dict(exclude={"version"})
    )
    return visit_detail(visit)


@router.post(
    "/{visit_id}/protocol", response={200: dict, **errors(409)}, summary="Prefill the sites from a template"
)
def apply_protocol(request: HttpRequest, visit_id: uuid.UUID, payload: ProtocolIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    visit = charting.apply_protocol(
        visit, payload.version, actor=request.user, key=payload.protocol, pain_side=payload.pain_side
    )
    return visit_detail(visit)


@router.put(
    "/{visit_id}/injections", response={200: dict, **errors(409)}, summary="Save the charted injection sites"
)
def save_injections(request: HttpRequest, visit_id: uuid.UUID, payload: InjectionsIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    visit = charting.save_injections(visit, payload.version, actor=request.user, sites=_sites(payload.sites))
    return visit_detail(visit)


@router.post("/{visit_id}/check", response=dict, summary="Live dose check of draft sites (nothing saved)")
def check_injections(request: HttpRequest, visit_id: uuid.UUID, payload: CheckIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    sites = _sites(payload.sites) if payload.sites is not None else None
    result = check_payload(dose_check(visit, sites))
    # The findings quote the patient's toxin history: a read, as on the chart page that the HTML check serves.
    record_read(visit.patient, actor=request.user, what="visit dose check (API)")
    return result


@router.post(
    "/{visit_id}/vials", response={201: dict, **errors(409)}, summary="Record a vial opened for this visit"
)
def add_vial_use(request: HttpRequest, visit_id: uuid.UUID, payload: VialUseIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    visit = vials.add_vial_use(
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


@router.delete(
    "/{visit_id}/vials/{use_id}",
    response={200: dict, **errors(409)},
    summary="Return a vial picked by mistake",
)
def remove_vial_use(request: HttpRequest, visit_id: uuid.UUID, use_id: uuid.UUID, version: int) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_prepare_visit)
    visit = vials.remove_vial_use(visit, version, actor=request.user, use_id=str(use_id))
    return visit_detail(visit)


@router.post("/{visit_id}/signature", response={201: NoteVersionOut, **errors(409)}, summary="Sign the note")
def sign_visit(request: HttpRequest, visit_id: uuid.UUID, payload: SignIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_sign_this_visit)
    note = signing.sign_visit(
        visit,
        request.user,
        expected_version=payload.version,
        overrides=payload.overrides,
        acknowledge_warnings=payload.acknowledge_warnings,
    )
    return Status(201, note_out(note, with_content=True))


@router.post(
    "/{visit_id}/amendments", response={201: NoteVersionOut, **errors(409)}, summary="Amend a signed note"
)
def amend_visit(request: HttpRequest, visit_id: uuid.UUID, payload: AmendIn) -> Any:
    visit = get_visit(request.user, visit_id, can=perms.can_amend_visit)
    note = signing.amend_visit(
        visit, request.user, reason=payload.reason, notes=payload.notes, expected_version=payload.version
    )
    return Status(201, note_out(note, with_content=True))


@router.get("/{visit_id}/notes", response=list[NoteVersionOut], summary="Every signed version of the note")
def list_note_versions(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    visit = get_visit(request.user, visit_id)
    record_read(visit.patient, actor=request.user, what="note versions (API)")
    return [note_out(n) for n in visit.notes_versions.select_related("signed_by")]


@router.get("/{visit_id}/notes/{version}", response=NoteVersionOut, summary="One signed version of the note")
def read_note_version(request: HttpRequest, visit_id: uuid.UUID, version: int) -> Any:
    visit = get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).select_related("signed_by").first()
    if note is None:
        raise Http404("No such note version.")
    record_read(visit.patient, actor=request.user, what=f"signed note v{version} (API)")
    return note_out(note, with_content=True)


@router.get("/{visit_id}/notes/{version}/pdf", summary="The signed note version as PDF")
def note_version_pdf(request: HttpRequest, visit_id: uuid.UUID, version: int) -> HttpResponse:
    from toxinclinic.visits.views import note_pdf_response

    visit = get_visit(request.user, visit_id)
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
    patient = chart_for(
        request,
        patient_id,
        can=lambda user, _p: perms.can_list_visits(user),
        what="toxin given elsewhere (API)",
    )
    return OutsideInjection.objects.filter(patient=patient)


@router.post(
    "/patients/{patient_id}/outside-injections",
    response={201: OutsideOut},
    summary="Record a toxin injection given elsewhere (cosmetic included)",
)
def create_outside_injection(request: HttpRequest, patient_id: uuid.UUID, payload: OutsideIn) -> Any:
    patient = chart_for(request, patient_id, can=perms.can_record_outside_injection, what=None)
    row = record_outside_injection(patient, actor=request.user, **payload.dict())
    return Status(201, row)

"""Visit screens outside the steps: today's visits, a patient's visits and toxin given elsewhere, a signed
note with its versions and PDF, and billing lines. The steps of one visit are in ``views_prepare``
(screening, consent, vials), ``views_chart`` (protocol, map, live check) and ``views_sign`` (sign, amend).

Every page works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from toxinclinic.accounts.models import Location
from toxinclinic.audit.services import record_read
from toxinclinic.core.errors import FieldError
from toxinclinic.patients.access import chart_for
from toxinclinic.patients.services import search_patients
from toxinclinic.visits import drafts
from toxinclinic.visits import forms as f
from toxinclinic.visits import permissions as perms
from toxinclinic.visits.history import last_signed_visit
from toxinclinic.visits.models import BillingLine, OutsideInjection, SignedNote, Visit, VisitStatus
from toxinclinic.visits.notes import note_context
from toxinclinic.visits.services import get_visit, record_outside_injection, visits_for
from toxinclinic.visits.view_helpers import errors_to_form, page_context, require_lister, step_list

# --- lists -----------------------------------------------------------------------------------------


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """Visits of a day (today by default), drafts first, and a patient search to start one."""
    require_lister(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None
    day = day or timezone.localdate()
    visits = (
        visits_for(request.user)
        .filter(visit_date=day)
        .select_related("patient", "clinician", "nurse")
        .order_by("status", "patient__last_name")
    )
    drafts = (
        visits_for(request.user)
        .filter(status=VisitStatus.DRAFT)
        .exclude(visit_date=day)
        .select_related("patient")
        .order_by("-visit_date")[:20]
    )
    query = request.GET.get("q", "").strip()[:100]
    found = search_patients(request.user, query)[:15] if query else []
    return render(
        request,
        "visits/today.html",
        {"day": day, "visits": visits, "drafts": drafts, "query": query, "found": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_visits(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A patient's visits, toxin given elsewhere, and the form to start a visit."""
    require_lister(request)
    # The read is recorded when the page is shown (below), not for a start that redirects.
    patient = chart_for(request, patient_id, what=None)
    locations = Location.objects.filter(clinic_id=patient.clinic_id)
    last = last_signed_visit(patient)
    initial: dict[str, Any] = {"indication": last.indication, "product": last.product} if last else {}
    if locations:
        initial["location"] = str(locations[0].public_id)
    indications = list(patient.patientindications.values_list("indication", flat=True))
    if not initial and indications:
        initial["indication"] = indications[0]
    form = f.VisitForm(request.POST or None, locations=locations, initial=initial)
    status = 200
    if request.method == "POST":
        if not perms.can_start_visit(request.user):
            raise PermissionDenied
        if form.is_valid():
            loc = (
                locations.filter(public_id=form.cleaned_data["location"]).first()
                if form.cleaned_data["location"]
                else None
            )
            try:
                visit = drafts.create_visit(
                    patient,
                    actor=request.user,
                    visit_date=form.cleaned_data["visit_date"],
                    indication=form.cleaned_data["indication"],
                    product=form.cleaned_data["product"],
                    location=loc,
                )
            except FieldError as exc:
                errors_to_form(form, exc)
            else:
                return redirect("visits:screening", visit_id=visit.public_id)
        status = 400
    record_read(patient, actor=request.user, what="visits")
    return render(
        request,
        "visits/patient.html",
        {
            "patient": patient,
            "form": form,
            "visits": Visit.objects.filter(patient=patient).select_related("clinician", "signed_by"),
            "outside": OutsideInjection.objects.filter(patient=patient),
            "can_start": perms.can_start_visit(request.user),
            "can_record_outside": perms.can_record_outside_injection(request.user, patient),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outside_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Record toxin given elsewhere (cosmetic included): it counts for interval and dose checks."""
    patient = chart_for(request, patient_id, can=perms.can_record_outside_injection, what=None)
    form = f.OutsideInjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_outside_injection(patient, actor=request.user, **form.cleaned_data)
        except FieldError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Recorded the injection given elsewhere.")
            back = request.GET.get("next", "")
            if back.startswith("/visits/") and "//" not in back:
                return redirect(back)
            return redirect("visits:patient", patient_id=patient.public_id)
    return render(
        request,
        "visits/outside_form.html",
        {"form": form, "patient": patient},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the visit and its signed note ---------------------------------------------------------------


@login_required
def detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    """A signed visit shows its latest note; a draft goes to its next step."""
    visit = get_visit(request.user, visit_id)
    if not visit.is_signed:
        if not perms.can_prepare_visit(request.user, visit):
            record_read(visit.patient, actor=request.user, what="draft visit")
            return render(request, "visits/draft_readonly.html", page_context(visit, "detail"))
        nxt = next((s["key"] for s in step_list(visit) if not s["done"]), "sign")
        return redirect(f"visits:{nxt}", visit_id=visit.public_id)
    note = visit.latest_note
    assert note is not None
    return _note_page(request, visit, note)


def _note_page(request: HttpRequest, visit: Visit, note: SignedNote) -> HttpResponse:
    record_read(visit.patient, actor=request.user, what=f"signed note v{note.version}")
    return render(
        request,
        "visits/note.html",
        {
            **note_context(note),
            "visit": visit,
            "patient": visit.patient,
            "versions": visit.notes_versions.select_related("signed_by"),
            "latest": note.version == visit.notes_versions.count(),
            "can_amend": perms.can_amend_visit(request.user, visit),
        },
    )


@login_required
def note_version(request: HttpRequest, visit_id: str, version: int) -> HttpResponse:
    visit = get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).first()
    if note is None:
        raise Http404("No such note version.")
    return _note_page(request, visit, note)


def note_pdf_response(request: HttpRequest, note: SignedNote) -> HttpResponse:
    """The archived PDF of the version when the worker made it, else rendered now."""
    from toxinclinic.visits.pdf import render_note_pdf

    visit = note.visit
    record_read(visit.patient, actor=request.user, what=f"signed note v{note.version} PDF")
    if note.pdf:
        with note.pdf.open("rb") as fh:
            data = fh.read()
    else:
        data = render_note_pdf(note)
    resp = HttpResponse(data, content_type="application/pdf")
    name = f"injection-note-{visit.patient.mrn}-{visit.visit_date:%Y-%m-%d}-v{note.version}.pdf"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
def note_pdf(request: HttpRequest, visit_id: str, version: int) -> HttpResponse:
    visit = get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).first()
    if note is None:
        raise Http404("No such note version.")
    return note_pdf_response(request, note)


@login_required
def billing_list(request: HttpRequest) -> HttpResponse:
    """Billing lines of signed visits, newest first, for the coordinator."""
    if not perms.can_view_billing(request.user):
        raise PermissionDenied
    qs = (
        visits_for(request.user)
        .filter(status=VisitStatus.SIGNED)
        .select_related("patient")
        .order_by("-visit_date", "-signed_at")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    lines: dict[int, list[BillingLine]] = {}
    for b in BillingLine.objects.filter(visit_id__in=[v.pk for v in page]).order_by("visit_id", "position"):
        lines.setdefault(b.visit_id, []).append(b)
    rows = [{"visit": v, "lines": lines.get(v.pk, [])} for v in page]
    return render(request, "visits/billing.html", {"page": page, "rows": rows})

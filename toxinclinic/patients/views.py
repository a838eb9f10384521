"""Chart screens for staff, and the patient's own chart summary."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from toxinclinic.accounts.models import Invitation, Role, User
from toxinclinic.accounts.permissions import (
    can_edit_chart,
    can_edit_clinical_history,
    can_invite_patient,
    can_list_patients,
    can_register_patient,
    is_staff_member,
)
from toxinclinic.audit.services import log_action, record_read
from toxinclinic.core.errors import Conflict
from toxinclinic.patients.access import chart_for
from toxinclinic.patients.banner import safety_banner
from toxinclinic.patients.eligibility import preventive_verdict
from toxinclinic.patients.forms import PatientForm
from toxinclinic.patients.models import Patient
from toxinclinic.patients.records import KINDS, RecordKind
from toxinclinic.patients.screening import chart_concerns
from toxinclinic.patients.services import (
    create_record,
    delete_record,
    parse_public_id,
    search_patients,
    update_record,
)


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    if not can_list_patients(request.user):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(search_patients(request.user, query), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "patients/list.html",
        {"page": page, "query": query, "can_register": can_register_patient(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    if not can_register_patient(request.user):
        raise PermissionDenied
    form = PatientForm(request.POST or None, clinic_id=request.user.clinic_id)
    if request.method == "POST" and form.is_valid():
        patient = form.save(commit=False)
        patient.clinic_id = request.user.clinic_id
        create_record(patient, actor=request.user, action="patient.created")
        messages.success(request, f"Registered {patient.full_name}.")
        return redirect("patients:chart", patient_id=patient.public_id)
    return render(
        request, "patients/form.html", {"form": form, "title": "Register a patient"}, status=_status(form)
    )


INVITE_LINK_KEY = "invite_link"


def _status(form: object) -> int:
    return 400 if getattr(form, "is_bound", False) and getattr(form, "errors", None) else 200


def chart_context(request: HttpRequest, patient: Patient) -> dict[str, object]:
    user = request.user
    sections = []
    for kind in KINDS.values():
        rows = list(kind.model.objects.filter(patient=patient))
        sections.append({"kind": kind, "rows": rows})
    return {
        "patient": patient,
        "sections": sections,
        "can_edit": can_edit_chart(user, patient),
        "can_edit_clinical": can_edit_clinical_history(user, patient),
        "can_invite": can_invite_patient(user, patient) and patient.user_id is None,
        "concerns": chart_concerns(patient),
        "safety_banner": _safety_banner(user, patient),
        "preventive": _preventive(user, patient),
    }


def _safety_banner(user: object, patient: Patient) -> object:
    """Staff see the safety banner (``patients.banner`` gathers its facts from each app's plug-in)."""
    if not is_staff_member(user):
        return None
    return safety_banner(patient)


def _preventive(user: object, patient: Patient) -> dict[str, object] | None:
    """Staff see the engine's preventive-failure verdict beside the trials; patients see the trials only."""
    if getattr(user, "role", None) == Role.PATIENT:
        return None
    verdict, skipped = preventive_verdict(patient)
    return {"verdict": verdict, "skipped": skipped}


@login_required
def chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id)
    ctx = chart_context(request, patient)
    # The one-time link sets this patient's portal password: shown once, and only on their chart.
    invite = request.session.pop(INVITE_LINK_KEY, None)
    if isinstance(invite, dict) and invite.get("patient") == str(patient.public_id) and ctx["can_edit"]:
        ctx["invite_link"] = invite.get("link")
    return render(request, "patients/chart.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    # The read is recorded below, when the form is shown; a save records its own change.
    patient = chart_for(request, patient_id, can=can_edit_chart, what=None)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            update_record(
                patient,
                form.cleaned_data.get("version"),
                actor=request.user,
                action="patient.updated",
                apply=lambda p: _copy_fields(form, p),
            )
        except Conflict as exc:
            form.add_error(None, str(exc))
            return render(request, "patients/form.html", {"form": form, "title": "Edit patient"}, status=409)
        messages.success(request, "Saved.")
        return redirect("patients:chart", patient_id=patient.public_id)
    record_read(patient, actor=request.user, what="demographics (edit form)")
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": f"Edit {patient.full_name}"},
        status=_status(form),
    )


def _copy_fields(form: PatientForm | object, target: object) -> None:
    for name in form._meta.fields:  # type: ignore[attr-defined]
        setattr(target, name, form.cleaned_data[name])  # type: ignore[attr-defined]


def _kind(kind: str) -> RecordKind:
    try:
        return KINDS[kind]
    except KeyError as exc:
        raise Http404("No such record kind.") from exc


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, patient_id: str, kind: str) -> HttpResponse:
    k = _kind(kind)
    patient = chart_for(request, patient_id, can=can_edit_clinical_history, what=None)
    form = k.form(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.patient = patient
        try:
            create_record(obj, actor=request.user, action=f"{k.audit_name}.created")
        except IntegrityError:
            # A concurrent save of the same value committed between the check and the insert: validated
            # again, the form sees it and names the field.
            form = k.form(request.POST, patient=patient)
            if form.is_valid():
                raise
        else:
            messages.success(request, f"Added {k.label}: {obj}.")
            return redirect(reverse("patients:chart", args=[patient.public_id]) + f"#{k.slug}")
    ctx = {"form": form, "title": f"Add {k.label}", "patient": patient}
    return render(request, "patients/form.html", ctx, status=_status(form))


def _get_record(k: RecordKind, patient: Patient, record_id: str) -> object:
    obj = k.model.objects.filter(patient=patient, public_id=parse_public_id(record_id)).first()
    if obj is None:
        raise Http404("No such record.")
    return obj


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, patient_id: str, kind: str, record_id: str) -> HttpResponse:
    k = _kind(kind)
    patient = chart_for(request, patient_id, can=can_edit_clinical_history, what=None)
    obj = _get_record(k, patient, record_id)
    form = k.form(request.POST or None, instance=obj)
    ctx = {"form": form, "title": f"Edit {k.label}", "patient": patient, "deletable": True}
    if request.method == "POST" and form.is_valid():
        try:
            update_record(
                obj,
                form.cleaned_data.get("version"),
                actor=request.user,
                action=f"{k.audit_name}.updated",
                apply=lambda o: _copy_fields(form, o),
            )
        except Conflict as exc:
            form.add_error(None, str(exc))
            return render(request, "patients/form.html", ctx, status=409)
        messages.success(request, f"Saved {k.label}.")
        return redirect(reverse("patients:chart", args=[patient.public_id]) + f"#{k.slug}")
    record_read(patient, actor=request.user, what=f"{k.label} (edit form)")
    return render(request, "patients/form.html", ctx, status=_status(form))


@login_required
@require_POST
def record_delete(request: HttpRequest, patient_id: str, kind: str, record_id: str) -> HttpResponse:
    k = _kind(kind)
    patient = chart_for(request, patient_id, can=can_edit_clinical_history, what=None)
    obj = _get_record(k, patient, record_id)
    version = request.POST.get("version")
    try:
        delete_record(
            obj,
            int(version) if version and version.isascii() and version.isdigit() else None,
            actor=request.user,
            action=f"{k.audit_name}.deleted",
        )
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("patients:chart", patient_id=patient.public_id)
    messages.success(request, f"Removed {k.label}: {obj}.")
    return redirect(reverse("patients:chart", args=[patient.public_id]) + f"#{k.slug}")


@login_required
@require_POST
def invite(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id, can=can_invite_patient, what=None)
    if patient.user_id is not None:
        messages.error(request, "This patient already has a portal account.")
        return redirect("patients:chart", patient_id=patient.public_id)
    link = invite_patient(patient, request.user)
    messages.success(
        request,
        "Invitation created. Give the patient this one-time link "
        f"(valid {settings.TOXINCLINIC_INVITE_VALID_DAYS} days):",
    )
    request.session[INVITE_LINK_KEY] = {"patient": str(patient.public_id), "link": link}
    return redirect("patients:chart", patient_id=patient.public_id)


def invite_patient(patient: Patient, actor: User) -> str:
    """Create the patient's portal login (no password yet) and a one-time link to set one."""
    from django.db import transaction

    with transaction.atomic():
        base = (patient.email or f"{patient.first_name}.{patient.last_name}").split("@")[0].lower()
        username = base
        n = 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}{n}"
        user = User(
            username=username,
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            role=Role.PATIENT,
            clinic_id=patient.clinic_id,
        )
        user.set_unusable_password()
        user.save()
        Patient.objects.filter(pk=patient.pk).update(user=user)
        patient.user = user
        _inv, raw = Invitation.issue(user, actor)
        log_action("patient.invited", actor=actor, obj=patient, data={"username": username})
    link = f"{settings.SITE_URL}{reverse('accept_invite', args=[raw])}"
    if patient.email:
        from toxinclinic.accounts.tasks import send_invitation_email

        # Enqueued after commit so the worker always finds the new user row.
        transaction.on_commit(lambda: send_invitation_email.enqueue(user.pk, link))
    return link

"""After-injection screens for patients (report, check-in, urgent screen, aftercare) and the clinic's
triage queue (acknowledge, call back, adverse-event record)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.services import record_read
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.patients.access import own_patient, patient_only, record_for
from toxinclinic.patients.banner import safety_banner
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import parse_public_id
from toxinclinic.safety import alerts, services
from toxinclinic.safety.advice import advice_text
from toxinclinic.safety.forms import (
    OTHER_CHOICES,
    URGENT_CHOICES,
    AdverseEventForm,
    CallBackForm,
    SymptomForm,
)
from toxinclinic.safety.models import CheckIn, SideEffectReport, TriageItem, TriageStatus
from toxinclinic.safety.permissions import (
    can_answer_check_in,
    can_handle_triage_item,
    can_record_adverse_event,
    can_report_side_effect,
    can_view_side_effects,
    can_view_treatment,
    can_work_triage_queue,
)
from toxinclinic.treatment.services import treatment_status


def _symptom_ctx(form: SymptomForm) -> dict[str, Any]:
    chosen = set(form["symptoms"].value() or [])
    return {
        "form": form,
        "urgent_choices": URGENT_CHOICES,
        "other_choices": OTHER_CHOICES,
        "chosen": chosen,
    }


def _add_errors(form: SymptomForm, errors: dict[str, list[str]]) -> None:
    for name, msgs in errors.items():
        for m in msgs:
            form.add_error(name if name in form.fields else None, m)


@patient_only
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, patient: Patient) -> HttpResponse:
    if not can_report_side_effect(request.user, patient):
        raise PermissionDenied
    status = treatment_status(patient)
    form = SymptomForm(request.POST or None)
    code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rep = services.report_side_effect(
                    patient,
                    symptoms=form.cleaned_data["symptoms"],
                    other_text=form.cleaned_data["other_text"],
                    actor=request.user,
                )
            except FieldError as exc:
                _add_errors(form, exc.errors)
            else:
                return redirect("safety:report_result", report_id=rep.public_id)
        code = 400
    return render(
        request,
        "safety/report.html",
        {"patient": patient, "treatment": status, "clinic": patient.clinic, **_symptom_ctx(form)},
        status=code,
    )


def _own_check_in(request: HttpRequest, check_in_id: str) -> CheckIn:
    patient = own_patient(request.user)
    ci = (
        CheckIn.objects.filter(public_id=parse_public_id(check_in_id), patient=patient)
        .select_related("session", "patient", "patient__clinic")
        .first()
    )
    if ci is None or not can_answer_check_in(request.user, ci.patient):
        raise Http404("No such check-in.")
    return ci


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, check_in_id: str) -> HttpResponse:
    ci = _own_check_in(request, check_in_id)
    state = services.check_in_state(ci)
    form = SymptomForm(request.POST or None)
    code = 200
    if request.method == "POST":
        if form.is_valid():
            symptoms = [] if request.POST.get("fine") else form.cleaned_data["symptoms"]
            other = "" if request.POST.get("fine") else form.cleaned_data["other_text"]
            try:
                rep = services.answer_check_in(ci, symptoms=symptoms, other_text=other, actor=request.user)
            except FieldError as exc:
                _add_errors(form, exc.errors)
            else:
                if rep is None:
                    messages.success(request, "Thank you. Glad you are well; the clinic has your answer.")
                    return redirect("home")
                return redirect("safety:report_result", report_id=rep.public_id)
        code = 400
    return render(
        request,
        "safety/check_in.html",
        {"ci": ci, "state": state, "clinic": ci.patient.clinic, **_symptom_ctx(form)},
        status=code,
    )


@login_required
@require_GET
def report_result(request: HttpRequest, report_id: str) -> HttpResponse:
    rep = record_for(
        request,
        SideEffectReport.objects.select_related("session"),
        report_id,
        can=can_view_side_effects,
        what="side-effect report",
        missing="No such report.",
    )
    clinic = rep.patient.clinic
    text = advice_text(
        rep.advice,
        emergency=clinic.emergency_number,
        phone=clinic.phone,
        injected_on=format_date(rep.session.injected_on, clinic, "long") if rep.session else "recently",
    )
    if not rep.urgent:
        return render(request, "safety/report_done.html", {"rep": rep, "clinic": clinic, "advice": text})
    item = TriageItem.objects.filter(report=rep).first()
    alert = alerts.state(item, clinic) if item is not None else None
    ctx = {"rep": rep, "clinic": clinic, "advice": text, "alert": alert}
    return render(request, "safety/urgent.html", ctx)


@patient_only
@require_GET
def aftercare_view(request: HttpRequest, patient: Patient) -> HttpResponse:
    if not can_view_treatment(request.user, patient):
        raise PermissionDenied
    return render(
        request,
        "safety/aftercare.html",
        {
            "patient": patient,
            "clinic": patient.clinic,
            "treatment": treatment_status(patient),
            "check_ins": services.open_check_ins(patient),
        },
    )


# ------------------------------------------------------------------------------------------- clinic


def _queue_guard(request: HttpRequest) -> None:
    if not can_work_triage_queue(request.user):
        raise PermissionDenied


@login_required
@require_GET
def triage_queue(request: HttpRequest) -> HttpResponse:
    _queue_guard(request)
    show_closed = request.GET.get("closed") == "1"
    items = list(services.triage_queue(request.user.clinic_id, include_closed=show_closed)[:200])
    now = timezone.now()
    return render(
        request,
        "safety/triage_queue.html",
        {"items": items, "now": now, "show_closed": show_closed},
    )


def _item(request: HttpRequest, item_id: str) -> TriageItem:
    item = (
        TriageItem.objects.filter(public_id=parse_public_id(item_id))
        .select_related(
            "patient", "patient__clinic", "report", "report__session", "acknowledged_by", "called_back_by"
        )
        .first()
    )
    if item is None or not (
        getattr(request.user, "clinic_id", None) == item.clinic_id
        and getattr(request.user, "role", "") != "patient"
    ):
        raise Http404("No such item.")
    if not can_handle_triage_item(request.user, item):
        raise PermissionDenied
    return item


def _safety_banner(item: TriageItem) -> Any:
    return safety_banner(item.patient)


def _item_ctx(item: TriageItem, **extra: Any) -> dict[str, Any]:
    session = item.report.session
    days_since = (timezone.localdate() - session.injected_on).days if session else None
    return {
        "item": item,
        "rep": item.report,
        "session": session,
        "call_form": CallBackForm(initial={"version": item.version}),
        "ae_form": AdverseEventForm(
            initial={
                "onset_day": item.report.days_since_injection,
                "term": ", ".join(item.report.symptom_labels)[:200],
            },
            max_onset_day=days_since,
        ),
        "adverse_events": list(item.adverse_events.all()),
        "closed": item.status == TriageStatus.CLOSED,
        "safety_banner": _safety_banner(item),
        "alert": alerts.state(item, item.patient.clinic),
        **extra,
    }


@login_required
@require_GET
def triage_item(request: HttpRequest, item_id: str) -> HttpResponse:
    item = _item(request, item_id)
    record_read(item.patient, actor=request.user, what="triage item")
    return render(request, "safety/triage_item.html", _item_ctx(item))


@login_required
@require_POST
def acknowledge(request: HttpRequest, item_id: str) -> HttpResponse:
    item = _item(request, item_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.acknowledge(item, actor=request.user, version=version)
    except Conflict as exc:
        messages.error(request, str(exc))
    except FieldError as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, "Acknowledged: the team can see you are handling it.")
    return redirect("safety:triage_item", item_id=item.public_id)


@login_required
@require_POST
def call_back(request: HttpRequest, item_id: str) -> HttpResponse:
    item = _item(request, item_id)
    form = CallBackForm(request.POST)
    if form.is_valid():
        try:
            services.record_call_back(
                item,
                actor=request.user,
                version=form.cleaned_data["version"],
                notes=form.cleaned_data["notes"],
                outcome=form.cleaned_data["outcome"],
                close=not form.cleaned_data["keep_open"],
            )
        except Conflict as exc:
            form.add_error(None, str(exc))
        except FieldError as exc:
            for k, ms in exc.errors.items():
                for m in ms:
                    form.add_error(k if k in form.fields else None, m)
        else:
            messages.success(request, "Call-back recorded.")
            return redirect("safety:triage_item", item_id=item.public_id)
    ctx = _item_ctx(item, call_form=form)
    return render(request, "safety/triage_item.html", ctx, status=409 if form.non_field_errors() else 400)


@login_required
@require_http_methods(["GET", "POST"])
def adverse_event(request: HttpRequest, item_id: str) -> HttpResponse:
    item = _item(request, item_id)
    if not can_record_adverse_event(request.user, item.patient):
        raise PermissionDenied
    session = item.report.session
    max_day = (timezone.localdate() - session.injected_on).days if session else None
    initial = {
        "onset_day": item.report.days_since_injection,
        "term": ", ".join(item.report.symptom_labels)[:200],
    }
    form = AdverseEventForm(request.POST or None, initial=initial, max_onset_day=max_day)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        services.create_adverse_event(item.patient, actor=request.user, data=data, item=item)
        messages.success(request, f"Adverse event recorded: {data['term']}.")
        return redirect("safety:triage_item", item_id=item.public_id)
    return render(
        request,
        "safety/adverse_event.html",
        {"item": item, "form": form, "rep": item.report},
        status=400 if form.is_bound else 200,
    )

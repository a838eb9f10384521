"""The outbox screen: every message of the clinic with its status, attempts, and a retry for failed ones."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from toxinclinic.audit.services import record_read
from toxinclinic.core.errors import FieldError
from toxinclinic.messaging import preferences, services
from toxinclinic.messaging.models import Message, Status
from toxinclinic.messaging.permissions import can_retry_message, can_view_outbox
from toxinclinic.patients.access import patient_only
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import parse_public_id


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    if not can_view_outbox(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    error = ""
    if status and status not in Status.values:
        error = (
            f"Status filter: {status[:30]!r} is not a message status; choose one of the tabs "
            "(all messages are shown)."
        )
        status = ""
    qs = services.outbox(request.user.clinic_id, status or None).select_related("recipient_patient")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for patient in {m.recipient_patient for m in page if m.recipient_patient is not None}:
        record_read(patient, actor=request.user, what="outbox")
    return render(
        request,
        "messaging/outbox.html",
        {"page": page, "status": status, "statuses": Status.choices, "error": error},
        status=400 if error else 200,
    )


def _message(request: HttpRequest, message_id: str) -> Message:
    if not can_view_outbox(request.user):
        raise PermissionDenied
    msg = (
        Message.objects.filter(public_id=parse_public_id(message_id), clinic_id=request.user.clinic_id)
        .select_related("recipient_patient", "recipient_user", "acknowledged_by")
        .first()
    )
    if msg is None:
        raise Http404("No such message.")
    return msg


@login_required
@require_GET
def message_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    msg = _message(request, message_id)
    if msg.recipient_patient is not None:
        record_read(msg.recipient_patient, actor=request.user, what="outbox message")
    choices = preferences.choices_for(msg.recipient_patient) if msg.recipient_patient else None
    return render(
        request,
        "messaging/message.html",
        {
            "msg": msg,
            "attempts": list(msg.attempts.all()),
            "can_retry": can_retry_message(request.user, msg),
            "choices": choices,
        },
    )


@login_required
@require_POST
def retry(request: HttpRequest, message_id: str) -> HttpResponse:
    msg = _message(request, message_id)
    if not can_retry_message(request.user, msg):
        raise PermissionDenied
    try:
        services.retry(msg, actor=request.user)
    except services.InvalidMessage as exc:
        flash.error(request, str(exc))
    else:
        flash.success(
            request, f"Queued again for {msg.recipient_label}: the status below shows when it has gone."
        )
    return redirect("messaging:message", message_id=msg.public_id)


@patient_only
def contact_preferences(request: HttpRequest, patient: Patient) -> HttpResponse:
    """ "How we contact you": the patient's channel and which reminders they get (saved and audited)."""
    errors: dict[str, list[str]] = {}
    choices = preferences.choices_for(patient)
    if request.method == "POST":
        try:
            preferences.save_choices(
                patient,
                channel=request.POST.get("channel", ""),
                reminders_on=request.POST.getlist("reminders"),
                actor=request.user,
            )
        except FieldError as exc:
            errors = exc.errors
        else:
            flash.success(request, "Saved. We will contact you the way you chose.")
            return redirect("messaging:contact_preferences")
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "messaging/contact_preferences.html",
        {"choices": choices, "errors": errors, "patient": patient},
        status=400 if errors else 200,
    )

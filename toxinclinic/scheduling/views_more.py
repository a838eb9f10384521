"""Calendar feed tokens, the feeds themselves, and the patient's own appointment with its "add to
calendar" file (availability and days away are in ``views_availability``)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from toxinclinic.patients.access import chart_for, patient_only
from toxinclinic.scheduling import booking, ical
from toxinclinic.scheduling.models import Appointment, AppointmentStatus
from toxinclinic.scheduling.permissions import can_manage_feed


@login_required
def feeds(request: HttpRequest) -> HttpResponse:
    """Calendar feed links: create one (its address is shown once), list them, revoke."""
    user = request.user
    if not can_manage_feed(user):
        raise PermissionDenied
    clinic = user.clinic
    people = [c for c in booking.bookable_clinicians(clinic) if can_manage_feed(user, c)]
    new_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create_clinician":
            who = next((c for c in people if str(c.public_id) == request.POST.get("clinician")), None)
            if who is None:
                raise PermissionDenied
            _, raw = ical.create_token(actor=user, clinician=who)
            new_url = request.build_absolute_uri(reverse("scheduling:feed", args=[raw]))
        elif action == "create_patient":
            patient = chart_for(request, request.POST.get("patient", ""), what=None)
            _, raw = ical.create_token(actor=user, patient=patient)
            new_url = request.build_absolute_uri(reverse("scheduling:feed", args=[raw]))
        elif action == "revoke":
            token = ical.tokens_for(clinic.pk).filter(pk=request.POST.get("token") or 0).first()
            if token is None or not can_manage_feed(user, token.clinician):
                raise Http404("No such feed.")
            ical.revoke(token, actor=user)
            messages.success(request, "Feed revoked: calendars using that address get nothing from now on.")
            return redirect("scheduling:feeds")
    tokens = [t for t in ical.tokens_for(clinic.pk) if can_manage_feed(user, t.clinician)]
    return render(
        request,
        "scheduling/feeds.html",
        {
            "tokens": tokens,
            "clinicians": people,
            "new_url": new_url,
            "patient_id": request.GET.get("patient", ""),
        },
    )


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps cannot sign in); the secret token is the key."""
    t = ical.live_token(token)
    if t is None:
        raise Http404("No such calendar.")
    resp = HttpResponse(ical.feed(t), content_type="text/calendar; charset=utf-8")
    resp["Cache-Control"] = "private, max-age=300"
    resp["X-Robots-Tag"] = "noindex"
    return resp


def _own(patient: object, public_id: uuid.UUID) -> Appointment:
    appt = (
        Appointment.objects.filter(public_id=public_id, patient=patient)
        .select_related("clinic", "location", "clinician")
        .first()
    )
    if appt is None:
        raise Http404("No such appointment.")
    return appt


@patient_only
def my_appointment(request: HttpRequest, patient: object, public_id: uuid.UUID) -> HttpResponse:
    appt = _own(patient, public_id)
    # Upcoming only while booked and not over: a past appointment is shown as what happened.
    upcoming = appt.status == AppointmentStatus.BOOKED and appt.ends_at > timezone.now()
    return render(request, "scheduling/my_appointment.html", {"a": appt, "clinic": appt.clinic,
                  "upcoming": upcoming})  # fmt: skip


@patient_only
def my_appointment_ics(request: HttpRequest, patient: object, public_id: uuid.UUID) -> HttpResponse:
    """One event to add to the patient's calendar (same UID as in any feed, so it is updated, not doubled)."""
    appt = _own(patient, public_id)
    resp = HttpResponse(
        ical.calendar([appt], f"Appointment at {appt.clinic.name}"), content_type="text/calendar"
    )
    resp["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return resp

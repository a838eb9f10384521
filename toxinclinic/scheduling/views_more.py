"""Availability and days away (clinic admins), calendar feed tokens, the feeds themselves, and the
patient's own appointment with its "add to calendar" file."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.messaging.models import WEEKDAYS
from toxinclinic.patients.access import chart_for, patient_only
from toxinclinic.scheduling import booking, ical
from toxinclinic.scheduling.models import Appointment, AppointmentStatus, Availability, AvailabilityException
from toxinclinic.scheduling.permissions import can_edit_availability, can_manage_feed


def _time(raw: str, field: str, errors: dict[str, list[str]]) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("Give a time such as 09:00.")
        return None


def _date(raw: str, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("Give a date such as 2026-07-01.")
        return None


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    """Each clinician's weekly hours and days away; clinic admins add and remove them."""
    if not can_edit_availability(request.user):
        raise PermissionDenied
    clinic = request.user.clinic
    people = booking.bookable_clinicians(clinic)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        who = next((c for c in people if str(c.public_id) == request.POST.get("clinician")), None)
        action = request.POST.get("action")
        if who is None:
            errors["clinician"] = ["Choose a clinician or nurse of your clinic."]
        elif action == "add_hours":
            starts = _time(request.POST.get("starts", ""), "starts", errors)
            ends = _time(request.POST.get("ends", ""), "ends", errors)
            weekday = request.POST.get("weekday", "")
            if weekday not in {str(w) for w, _ in WEEKDAYS}:
                errors["weekday"] = ["Choose a day of the week."]
            if not errors:
                row = Availability(
                    clinic=clinic, clinician=who, weekday=int(weekday), starts=starts, ends=ends
                )
                try:
                    row.full_clean()
                except ValidationError as e:
                    errors.update({k: list(v) for k, v in e.message_dict.items()})
                else:
                    row.save()
                    record_change("availability.added", row, None, actor=request.user)
        elif action == "add_away":
            first = _date(request.POST.get("first_day", ""), "first_day", errors)
            last = _date(request.POST.get("last_day", ""), "last_day", errors)
            if not errors:
                row = AvailabilityException(
                    clinic=clinic, clinician=who, first_day=first, last_day=last,
                    reason=request.POST.get("reason", "").strip()[:120],
                )  # fmt: skip
                try:
                    row.full_clean()
                except ValidationError as e:
                    errors.update({k: list(v) for k, v in e.message_dict.items()})
                else:
                    row.save()
                    record_change("availability.away_added", row, None, actor=request.user)
        elif action in ("remove_hours", "remove_away"):
            model = Availability if action == "remove_hours" else AvailabilityException
            row = model.objects.filter(clinic=clinic, clinician=who, pk=request.POST.get("row") or 0).first()
            if row is not None:
                record_change(f"availability.{action}", row, snapshot(row), actor=request.user, deleted=True)
                row.delete()
        if not errors:
            messages.success(request, "Saved.")
            return redirect("scheduling:availability")
    rows = [
        {
            "clinician": c,
            "hours": Availability.objects.filter(clinician=c),
            "away": AvailabilityException.objects.filter(clinician=c, last_day__gte=timezone.localdate()),
        }
        for c in people
    ]
    return render(
        request,
        "scheduling/availability.html",
        {
            "rows": rows,
            "clinicians": people,
            "weekdays": WEEKDAYS,
            "errors": errors,
            "all_errors": [m for ms in errors.values() for m in ms],
        },
        status=400 if errors else 200,
    )


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
    return render(request, "scheduling/my_appointment.html", {"a": appt, "clinic": appt.clinic,
                  "booked": appt.status == AppointmentStatus.BOOKED})  # fmt: skip


@patient_only
def my_appointment_ics(request: HttpRequest, patient: object, public_id: uuid.UUID) -> HttpResponse:
    """One event to add to the patient's calendar (same UID as in any feed, so it is updated, not doubled)."""
    appt = _own(patient, public_id)
    resp = HttpResponse(
        ical.calendar([appt], f"Appointment at {appt.clinic.name}"), content_type="text/calendar"
    )
    resp["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return resp

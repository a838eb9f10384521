"""The coordinator's recall list: who is overdue and who is due within the next weeks (12-week window)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from toxinclinic.accounts.locale import format_datetime
from toxinclinic.clinical.products import INDICATION_LABELS
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.patients.access import chart_for
from toxinclinic.scheduling import attendance, booking
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from toxinclinic.scheduling.permissions import can_book, can_view_recall_list
from toxinclinic.scheduling.services import DUE_SOON_DAYS, recall_list
from toxinclinic.treatment.conf import recall_interval_days

VIEWS = {
    "due": f"Overdue or due within {DUE_SOON_DAYS // 7} weeks",
    "overdue": "Overdue",
    "all": "All recalls",
}


@login_required
def recalls(request: HttpRequest) -> HttpResponse:
    if not can_view_recall_list(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    which = request.GET.get("which", "due")
    which = which if which in VIEWS else "due"
    page = Paginator(recall_list(request.user, today, which=which), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "r": r,
            "days": (r.due_on - today).days,
            "open_visit": r.open_visit_id,
            "indication": INDICATION_LABELS.get(r.indication, r.indication),
        }
        for r in page
    ]
    return render(
        request,
        "scheduling/recalls.html",
        {
            "page": page,
            "rows": rows,
            "which": which,
            "views": VIEWS,
            "today": today,
            "interval_days": recall_interval_days(),
        },
    )


# ------------------------------------------------------------------------------ schedule and booking


def _staff(request: HttpRequest) -> None:
    if not can_book(request.user):
        raise PermissionDenied


def _clinic_day(raw: str | None, tz: dt.tzinfo) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate(timezone=tz)
    except ValueError:
        return timezone.localdate(timezone=tz)


def _appointment(request: HttpRequest, public_id: uuid.UUID) -> Appointment:
    appt = (
        Appointment.objects.filter(public_id=public_id, clinic_id=request.user.clinic_id)
        .select_related("patient", "clinician", "location", "clinic")
        .first()
    )
    if appt is None:
        raise Http404("No such appointment.")
    chart_for(request, appt.patient.public_id, what="appointment")
    return appt


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    """The clinic's schedule for a day or a week, one column per clinician (or one clinician)."""
    _staff(request)
    clinic = request.user.clinic
    tz = clinic_tz(clinic)
    day = _clinic_day(request.GET.get("day"), tz)
    span = "week" if request.GET.get("span") == "week" else "day"
    first = day - dt.timedelta(days=day.weekday()) if span == "week" else day
    n = 7 if span == "week" else 1
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(first + dt.timedelta(days=n), dt.time(0), tzinfo=tz)
    people = booking.bookable_clinicians(clinic)
    chosen = request.GET.get("clinician", "")
    shown = [c for c in people if str(c.public_id) == chosen] or people
    appts = (
        Appointment.objects.filter(
            clinic=clinic, clinician__in=shown, starts_at__gte=start, starts_at__lt=end
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "clinician", "location")
        .order_by("starts_at")
    )
    days = []
    for i in range(n):
        d = first + dt.timedelta(days=i)
        cols = []
        for c in shown:
            rows = [a for a in appts if a.clinician_id == c.pk and a.starts_at.astimezone(tz).date() == d]
            cols.append({"clinician": c, "appointments": rows})
        days.append({"day": d, "columns": cols})
    step = dt.timedelta(days=n)
    return render(
        request,
        "scheduling/schedule.html",
        {
            "days": days,
            "span": span,
            "day": day,
            "prev": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "clinicians": people,
            "chosen": chosen,
            "clinic": clinic,
        },
    )


def _parse_local(raw: str, tz: dt.tzinfo) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise FieldError({"starts_at": ["Give the date and time, e.g. 2026-06-01 09:30."]}) from None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _clinician_by_id(clinic: Any, raw: str) -> Any:
    c = next((u for u in booking.bookable_clinicians(clinic) if str(u.public_id) == raw), None)
    if c is None:
        raise FieldError({"clinician": ["Choose a clinician or nurse of your clinic."]})
    return c


@login_required
def slots(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """Next free slots in the patient's window; one click on a slot books it (POST). A time of one's own
    choosing can be booked with the form below the list."""
    _staff(request)
    patient = chart_for(request, patient_id, what="appointments" if request.method == "GET" else None)
    tz = clinic_tz(patient.clinic)
    kind = request.POST.get("kind") or request.GET.get("kind") or AppointmentKind.INJECTION
    kind = kind if kind in AppointmentKind.values else AppointmentKind.INJECTION
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            appt = booking.book(
                patient,
                actor=request.user,
                clinician=_clinician_by_id(patient.clinic, request.POST.get("clinician", "")),
                kind=kind,
                starts_at=_parse_local(request.POST.get("starts_at", ""), tz),
                accept_early=request.POST.get("accept_early") == "1",
            )
        except FieldError as exc:
            errors, status = exc.errors, 400
        else:
            messages.success(
                request,
                f"Booked: {appt.get_kind_display()} with {appt.clinician.display_name}, "
                f"{format_datetime(appt.starts_at, patient.clinic)}.",
            )
            return redirect("scheduling:appointment", appt.public_id)
    search = booking.free_slots(patient, kind=kind)
    upcoming = Appointment.objects.filter(
        patient=patient, status=AppointmentStatus.BOOKED, ends_at__gt=timezone.now()
    ).select_related("clinician")
    return render(
        request,
        "scheduling/slots.html",
        {
            "patient": patient,
            "search": search,
            "kind": kind,
            "kinds": AppointmentKind.choices,
            "errors": errors,
            "all_errors": [m for ms in errors.values() for m in ms],
            "needs_confirm": "accept_early" in errors,
            "posted": request.POST if request.method == "POST" else {},
            "clinicians": booking.bookable_clinicians(patient.clinic),
            "upcoming": upcoming,
            "clinic": patient.clinic,
        },
        status=status,
    )


@login_required
def appointment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One appointment: cancel, reschedule (both with a reason), or record attended or a no-show."""
    _staff(request)
    appt = _appointment(request, public_id)
    errors: dict[str, list[str]] = {}
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            seq = int(request.POST.get("sequence", "-1"))
            if action == "cancel":
                booking.cancel(
                    appt, actor=request.user, reason=request.POST.get("reason", ""), expected_sequence=seq
                )
                messages.success(request, "Appointment cancelled; its reminders will not be sent.")
            elif action == "reschedule":
                booking.reschedule(
                    appt,
                    actor=request.user,
                    starts_at=_parse_local(request.POST.get("starts_at", ""), clinic_tz(appt.clinic)),
                    clinician=_clinician_by_id(appt.clinic, request.POST.get("clinician", "")),
                    reason=request.POST.get("reason", ""),
                    accept_early=request.POST.get("accept_early") == "1",
                    expected_sequence=seq,
                )
                messages.success(request, "Appointment moved; new reminders are queued.")
            elif action == "no_show":
                booking.mark_no_show(appt, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "Recorded: the patient did not attend.")
            elif action == "attended":
                attendance.mark_attended(
                    appt, actor=request.user, reason=request.POST.get("reason", ""), expected_sequence=seq
                )
                messages.success(request, "Recorded: the patient attended.")
            else:
                raise FieldError({"action": ["Choose cancel, reschedule, attended or did not attend."]})
            return redirect("scheduling:appointment", appt.public_id)
        except FieldError as exc:
            errors, status = exc.errors, 400
        except (Conflict, ValueError) as exc:
            messages.error(
                request, str(exc) if isinstance(exc, Conflict) else "Reload the page and try again."
            )
            status = 409
        appt.refresh_from_db()
    from toxinclinic.messaging.services import messages_for

    return render(
        request,
        "scheduling/appointment.html",
        {
            "a": appt,
            "errors": errors,
            "action": action,
            "posted": request.POST if request.method == "POST" else {},
            "clinicians": booking.bookable_clinicians(appt.clinic),
            "reminders": list(messages_for(appt.reminder_topic)),
            "local_start": appt.starts_at.astimezone(clinic_tz(appt.clinic)).strftime("%Y-%m-%dT%H:%M"),
            "clinic": appt.clinic,
            "started": appt.starts_at <= timezone.now(),
            "day_has_come": attendance.day_has_come(appt),
        },
        status=status,
    )

"""Weekly hours and days away: a clinician or nurse keeps their own, a clinic admin anyone's in the clinic.

Refusals (outside the clinic's opening hours, overlapping, past or overlapping days away) come back on the
form with their reasons (400) and nothing stored. A change that would leave booked appointments outside
the hours names each of them and asks for confirmation; once confirmed they stay listed on the
clinician's card until they are moved or cancelled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from toxinclinic.accounts.locale import format_date, format_time
from toxinclinic.accounts.models import Role
from toxinclinic.core.errors import FieldError
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import WEEKDAYS, OpeningHours
from toxinclinic.scheduling import availability as av
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import Availability, AvailabilityException
from toxinclinic.scheduling.permissions import can_edit_availability

#: The form fields a "save anyway" button posts again.
NOT_YOURS = "Choose yourself, or as an admin a clinician or nurse of your clinic."
CARRIED = ("action", "clinician", "row", "weekday", "starts", "ends", "first_day", "last_day", "reason")


def _time(raw: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw.strip())
    except (AttributeError, TypeError, ValueError):
        return None


def _date(raw: str, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if not (raw or "").strip():
        return None  # the service names the missing day
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        errors.setdefault(field, []).append("Give a date such as 2026-07-01.")
        return None


def _row(model: Any, who: Any, raw: str) -> Any:
    row = model.objects.filter(clinician=who, pk=int(raw) if raw.isdigit() else 0).first()
    if row is None:
        raise FieldError({"row": ["That entry is no longer there (changed or removed): reload the page."]})
    return row


def _period(clinic: Any, weekday: int, starts: dt.time, ends: dt.time) -> str:
    return f"{dict(WEEKDAYS)[weekday]} {format_time(starts, clinic)}–{format_time(ends, clinic)}"


def _still(stranded: list[Any]) -> str:
    if not stranded:
        return ""
    n = len(stranded)
    return (
        f" {n} booked appointment{'s' if n > 1 else ''} now outside the hours: listed on the card, "
        "move or cancel them."
    )


def _apply(request: HttpRequest, who: Any) -> str:
    """Do the posted action for ``who``; returns the confirmation shown after the redirect."""
    p, user, clinic = request.POST, request.user, who.clinic
    action = p.get("action", "")
    confirm = p.get("confirm") == "1"
    if action in ("add_hours", "change_hours"):
        weekday, starts, ends = p.get("weekday", ""), _time(p.get("starts", "")), _time(p.get("ends", ""))
        if action == "add_hours":
            row = av.add_hours(who, actor=user, weekday=weekday, starts=starts, ends=ends)
            return f"Added: {_period(clinic, row.weekday, row.starts, row.ends)}."
        row, stranded = av.change_hours(
            _row(Availability, who, p.get("row", "")), actor=user, weekday=weekday, starts=starts,
            ends=ends, confirm=confirm,
        )  # fmt: skip
        return f"Changed to {_period(clinic, row.weekday, row.starts, row.ends)}.{_still(stranded)}"
    if action == "remove_hours":
        row = _row(Availability, who, p.get("row", ""))
        text = _period(clinic, row.weekday, row.starts, row.ends)
        stranded = av.remove_hours(row, actor=user, confirm=confirm)
        return f"Removed {text}.{_still(stranded)}"
    if action == "add_away":
        errors: dict[str, list[str]] = {}
        first = _date(p.get("first_day", ""), "first_day", errors)
        last = _date(p.get("last_day", ""), "last_day", errors)
        if errors:  # a date that is not one: say so, with whatever else is wrong
            others = av.check_away(who, first, last, p.get("reason", "").strip())
            raise FieldError(errors | {k: v for k, v in others.items() if k not in errors})
        row, stranded = av.add_away(
            who, actor=user, first_day=first, last_day=last, reason=p.get("reason", ""), confirm=confirm
        )
        return (
            f"Recorded: away from {format_date(row.first_day, clinic)} to "
            f"{format_date(row.last_day, clinic)}.{_still(stranded)}"
        )
    if action == "remove_away":
        row = _row(AvailabilityException, who, p.get("row", ""))
        av.remove_away(row, actor=user)
        return f"Removed the days away from {format_date(row.first_day, clinic)}."
    raise FieldError({"action": ["Choose add, change or remove hours, or add or remove days away."]})


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_edit_availability(user):
        raise PermissionDenied
    clinic = user.clinic
    people = [c for c in booking.bookable_clinicians(clinic) if can_edit_availability(user, c)]
    chosen = request.GET.get("clinician", "")
    shown = [c for c in people if str(c.public_id) == chosen] or people
    errors: dict[str, list[str]] = {}
    stranded: list[Any] = []
    target = request.POST.get("clinician", "")
    if request.method == "POST":
        who = next((c for c in people if str(c.public_id) == target), None)
        try:
            if who is None:
                raise FieldError.one("clinician", NOT_YOURS)
            done = _apply(request, who)
        except av.WouldStrand as exc:
            errors, stranded = exc.errors, exc.appointments
        except FieldError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"{who.display_name}: {done}")
            query = f"?clinician={chosen}" if chosen else ""
            return redirect(f"{reverse('scheduling:availability')}{query}#c-{who.public_id}")
    today = timezone.localdate(timezone=clinic_tz(clinic))
    rows = [
        {
            "clinician": c,
            "hours": list(Availability.objects.filter(clinician=c)),
            "away": list(AvailabilityException.objects.filter(clinician=c, last_day__gte=today)),
            "uncovered": av.uncovered(c),
            "target": str(c.public_id) == target,
        }
        for c in shown
    ]
    return render(
        request,
        "scheduling/availability.html",
        {
            "rows": rows,
            "people": people,
            "chosen": chosen,
            "is_admin": user.role == Role.ADMIN,
            "weekdays": WEEKDAYS,
            "opening": OpeningHours.objects.filter(clinic=clinic).order_by("weekday", "opens"),
            "errors": errors,
            "all_errors": [m for ms in errors.values() for m in ms],
            "stranded": stranded,
            "carried": [(k, request.POST.get(k, "")) for k in CARRIED if request.POST.get(k)],
            "posted": request.POST if request.method == "POST" else {},
            "clinic": clinic,
            "today": today,
        },
        status=400 if errors else 200,
    )

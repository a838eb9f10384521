"""A clinician's weekly hours and days away: checked, stored, and what a change would strand.

A weekly period must lie inside one of the clinic's opening periods that weekday (the messaging room's
``OpeningHours``; a clinic that set none is not limited, as for booking) and may not overlap another of
the clinician's periods that day (touching is fine: 9-12 and 12-16). Days away may not overlap days
already recorded, may not be wholly past, and last at most a year. Every refusal is a ``FieldError``
naming the field and the reason, and nothing is stored.

A change that would leave booked appointments outside the clinician's hours (days away over them, hours
removed or shortened) is refused with ``WouldStrand`` naming each appointment, unless the caller confirms;
once saved, the schedule screen keeps listing them (``uncovered``) until they are moved or cancelled, so
none is silently orphaned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.accounts.locale import format_date, format_datetime, format_time
from toxinclinic.accounts.models import User
from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.core.errors import FieldError
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import WEEKDAYS, OpeningHours
from toxinclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Availability,
    AvailabilityException,
)

DAY_NAMES = dict(WEEKDAYS)
#: The longest single period of days away (longer leave is recorded as several).
MAX_AWAY_DAYS = 366
REASON_MAX = 120


class WouldStrand(FieldError):
    """The change is valid but would leave these booked appointments outside the clinician's hours."""

    def __init__(self, appointments: Sequence[Appointment], what: str) -> None:
        listed = "; ".join(describe(a) for a in appointments)
        n = len(appointments)
        noun = "appointment" if n == 1 else f"{n} appointments"
        super().__init__(
            {
                "confirm": [
                    f"{what} would leave {noun} still booked outside the clinician's hours: {listed}. "
                    "Move or cancel them, or confirm to save anyway (they stay listed until moved)."
                ]
            }
        )
        self.appointments = list(appointments)


def describe(a: Appointment) -> str:
    return f"{a.patient.full_name}, {a.get_kind_display()}, {format_datetime(a.starts_at, a.clinic)}"


def _lock(clinician: User) -> None:
    # One change to a clinician's calendar at a time (as booking does): "check then write" stays true on
    # PostgreSQL; SQLite serialises writers already.
    User.objects.select_for_update().filter(pk=clinician.pk).first()


# ------------------------------------------------------------------------------------------ checks


def _periods(clinician: User, weekday: int, exclude_pk: int | None) -> list[tuple[dt.time, dt.time]]:
    qs = Availability.objects.filter(clinician=clinician, weekday=weekday)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return sorted(qs.values_list("starts", "ends"))


def check_hours(
    clinician: User,
    weekday: Any,
    starts: dt.time | None,
    ends: dt.time | None,
    *,
    exclude_pk: int | None = None,
) -> dict[str, list[str]]:
    """Why this weekly period cannot be stored (empty: it can). ``exclude_pk``: the row being changed."""
    clinic = clinician.clinic
    errors: dict[str, list[str]] = {}
    try:
        wd = int(weekday)
    except (TypeError, ValueError):
        wd = -1
    if wd not in DAY_NAMES:
        errors["weekday"] = ["Choose a day of the week."]
    if starts is None:
        errors.setdefault("starts", []).append("Give a start time such as 09:00.")
    if ends is None:
        errors.setdefault("ends", []).append("Give an end time such as 17:00.")
    if errors or starts is None or ends is None:
        return errors
    if ends <= starts:
        return {"ends": ["The end must be after the start on the same day."]}

    def hhmm(t: dt.time) -> str:
        return format_time(t, clinic)

    day = DAY_NAMES[wd]
    if OpeningHours.objects.filter(clinic=clinic).exists():
        opening = sorted(
            OpeningHours.objects.filter(clinic=clinic, weekday=wd).values_list("opens", "closes")
        )
        if not opening:
            errors["weekday"] = [
                f"The clinic is closed on {day}s (its opening hours): choose a day it is open."
            ]
        elif not any(o <= starts and ends <= c for o, c in opening):
            shown = ", ".join(f"{hhmm(o)}–{hhmm(c)}" for o, c in opening)
            errors["starts"] = [
                f"Outside the clinic's opening hours: on {day} it is open {shown}. Choose times inside them."
            ]
    clash = next(((a, b) for a, b in _periods(clinician, wd, exclude_pk) if a < ends and starts < b), None)
    if clash is not None:
        errors.setdefault("starts", []).append(
            f"Overlaps {clinician.display_name}'s hours on {day}, {hhmm(clash[0])}–{hhmm(clash[1])}: "
            "change that period instead, or choose times that do not overlap."
        )
    return errors


def check_away(
    clinician: User,
    first_day: dt.date | None,
    last_day: dt.date | None,
    reason: str,
    *,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    """Why these days away cannot be stored (empty: they can)."""
    clinic = clinician.clinic
    today = today or timezone.localdate(timezone=clinic_tz(clinic))
    errors: dict[str, list[str]] = {}
    if first_day is None:
        errors["first_day"] = ["Give the first day away, such as 2026-07-01."]
    if last_day is None:
        errors["last_day"] = ["Give the last day away, such as 2026-07-14."]
    if len(reason) > REASON_MAX:
        errors["reason"] = [f"Keep the reason to {REASON_MAX} characters."]
    if first_day is None or last_day is None:
        return errors
    if last_day < first_day:
        errors["last_day"] = ["The last day must be on or after the first day."]
        return errors
    if last_day < today:
        errors["last_day"] = ["Those days have passed: record days away from today on."]
    elif (last_day - first_day).days + 1 > MAX_AWAY_DAYS:
        errors["last_day"] = [
            f"Keep one period of days away to {MAX_AWAY_DAYS} days at most; add another for longer leave."
        ]
    clash = (
        AvailabilityException.objects.filter(
            clinician=clinician, first_day__lte=last_day, last_day__gte=first_day
        )
        .order_by("first_day")
        .first()
    )
    if clash is not None:
        why = f" ({clash.reason})" if clash.reason else ""
        errors.setdefault("first_day", []).append(
            f"Overlaps days away already recorded: {format_date(clash.first_day, clinic)} to "
            f"{format_date(clash.last_day, clinic)}{why}. Remove that one first, or choose other days."
        )
    return errors


# ---------------------------------------------------------------------------------- stranded bookings


def _booked_ahead(clinician: User, now: dt.datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(clinician=clinician, status=AppointmentStatus.BOOKED, ends_at__gt=now)
        .select_related("patient", "clinic")
        .order_by("starts_at", "id")
    )


def _covered(
    a: Appointment,
    tz: dt.tzinfo,
    hours: Iterable[tuple[int, dt.time, dt.time]],
    away: Iterable[tuple[dt.date, dt.date]],
) -> bool:
    start, end = a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)
    day = start.date()
    if any(f <= day <= last for f, last in away):
        return False
    if end.date() != day and end.time() != dt.time(0):
        return False
    stop = end.time() if end.date() == day else dt.time.max
    return any(w == day.weekday() and s <= start.time() and stop <= e for w, s, e in hours)


def _hours(clinician: User) -> list[tuple[int, dt.time, dt.time]]:
    return list(Availability.objects.filter(clinician=clinician).values_list("weekday", "starts", "ends"))


def _away(clinician: User) -> list[tuple[dt.date, dt.date]]:
    return list(
        AvailabilityException.objects.filter(clinician=clinician).values_list("first_day", "last_day")
    )


def uncovered(clinician: User, *, now: dt.datetime | None = None) -> list[Appointment]:
    """Booked appointments not over yet that fall outside the clinician's hours or on their days away."""
    now = now or timezone.now()
    tz = clinic_tz(clinician.clinic)
    hours, away = _hours(clinician), _away(clinician)
    return [a for a in _booked_ahead(clinician, now) if not _covered(a, tz, hours, away)]


def stranded_by(
    clinician: User,
    hours: list[tuple[int, dt.time, dt.time]],
    away: list[tuple[dt.date, dt.date]],
    *,
    now: dt.datetime | None = None,
) -> list[Appointment]:
    """Booked appointments that the proposed ``hours`` and ``away`` would newly leave uncovered (ones
    already outside the hours before the change are listed on the screen, not blamed on it)."""
    now = now or timezone.now()
    tz = clinic_tz(clinician.clinic)
    old_hours, old_away = _hours(clinician), _away(clinician)
    return [
        a
        for a in _booked_ahead(clinician, now)
        if _covered(a, tz, old_hours, old_away) and not _covered(a, tz, hours, away)
    ]


# ---------------------------------------------------------------------------------------- changes


def _refuse_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise FieldError(errors)


def _guard(stranded: list[Appointment], what: str, confirm: bool) -> None:
    if stranded and not confirm:
        raise WouldStrand(stranded, what)


def add_hours(
    clinician: User, *, actor: Any, weekday: Any, starts: dt.time | None, ends: dt.time | None
) -> Availability:
    """A new weekly period (adding hours strands nothing)."""
    with transaction.atomic():
        _lock(clinician)
        _refuse_if(check_hours(clinician, weekday, starts, ends))
        row = Availability.objects.create(
            clinic_id=clinician.clinic_id, clinician=clinician, weekday=int(weekday), starts=starts,
            ends=ends,
        )  # fmt: skip
        record_change("availability.added", row, None, actor=actor)
    return row


def change_hours(
    row: Availability,
    *,
    actor: Any,
    weekday: Any,
    starts: dt.time | None,
    ends: dt.time | None,
    confirm: bool = False,
) -> tuple[Availability, list[Appointment]]:
    """Move or resize a weekly period; returns it and the appointments it leaves outside (confirmed)."""
    clinician = row.clinician
    with transaction.atomic():
        _lock(clinician)
        _refuse_if(check_hours(clinician, weekday, starts, ends, exclude_pk=row.pk))
        assert starts is not None and ends is not None  # checked above
        hours = [h for h in _hours_except(clinician, row.pk)] + [(int(weekday), starts, ends)]
        stranded = stranded_by(clinician, hours, _away(clinician))
        _guard(stranded, "Changing these hours", confirm)
        before = snapshot(row)
        row.weekday, row.starts, row.ends = int(weekday), starts, ends
        row.save(update_fields=["weekday", "starts", "ends"])
        record_change("availability.changed", row, before, actor=actor)
    return row, stranded


def _hours_except(clinician: User, pk: int) -> list[tuple[int, dt.time, dt.time]]:
    return list(
        Availability.objects.filter(clinician=clinician)
        .exclude(pk=pk)
        .values_list("weekday", "starts", "ends")
    )


def remove_hours(row: Availability, *, actor: Any, confirm: bool = False) -> list[Appointment]:
    clinician = row.clinician
    with transaction.atomic():
        _lock(clinician)
        stranded = stranded_by(clinician, _hours_except(clinician, row.pk), _away(clinician))
        _guard(stranded, "Removing these hours", confirm)
        record_change("availability.remove_hours", row, snapshot(row), actor=actor, deleted=True)
        row.delete()
    return stranded


def add_away(
    clinician: User,
    *,
    actor: Any,
    first_day: dt.date | None,
    last_day: dt.date | None,
    reason: str = "",
    confirm: bool = False,
) -> tuple[AvailabilityException, list[Appointment]]:
    """Record days away; returns the row and the booked appointments on those days (when confirmed)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        _lock(clinician)
        _refuse_if(check_away(clinician, first_day, last_day, reason))
        assert first_day is not None and last_day is not None  # checked above
        stranded = stranded_by(clinician, _hours(clinician), [*_away(clinician), (first_day, last_day)])
        _guard(stranded, "These days away", confirm)
        row = AvailabilityException.objects.create(
            clinic_id=clinician.clinic_id, clinician=clinician, first_day=first_day, last_day=last_day,
            reason=reason,
        )  # fmt: skip
        record_change("availability.away_added", row, None, actor=actor)
    return row, stranded


def remove_away(row: AvailabilityException, *, actor: Any) -> None:
    """Days away removed (the clinician is back: nothing is stranded by it)."""
    record_change("availability.remove_away", row, snapshot(row), actor=actor, deleted=True)
    row.delete()

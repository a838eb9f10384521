"""Book, cancel, reschedule and mark no-show; find free slots. The rules are the engine's
(``clinical.scheduling``); this module gathers the facts for it and stores what it allows.

Opening hours and closed days are the messaging room's (``OpeningHours``, ``ClosedDay``): one fact, one
place. A clinician's weekly availability and days away are this room's. Every refusal is a ``FieldError``
naming the field and the reason, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.accounts.locale import format_date, format_time
from toxinclinic.accounts.models import Role, User
from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.clinical import recall
from toxinclinic.clinical import scheduling as engine
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.core.plugins import app_modules
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import ClosedDay, OpeningHours
from toxinclinic.patients.models import Patient
from toxinclinic.scheduling import reminders
from toxinclinic.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Availability,
    AvailabilityException,
    SchedulingSettings,
)
from toxinclinic.treatment import services as treatment
from toxinclinic.treatment.conf import recall_interval_days

#: Length of each kind of appointment (clinic policy, minutes).
DURATION_MINUTES = {
    AppointmentKind.NEW_PATIENT: 45,
    AppointmentKind.INJECTION: 30,
    AppointmentKind.FOLLOW_UP: 20,
    AppointmentKind.PHONE: 15,
}
#: How far ahead "next free slots" looks (12 weeks: one re-treatment cycle).
SEARCH_WEEKS = 12


def duration(kind: str) -> dt.timedelta:
    return dt.timedelta(minutes=DURATION_MINUTES[AppointmentKind(kind)])


def settings_for(clinic: Any) -> SchedulingSettings:
    obj, _ = SchedulingSettings.objects.get_or_create(clinic=clinic)
    return obj


def bookable_clinicians(clinic: Any) -> list[User]:
    """Staff of the clinic who see patients (clinicians and nurses), by name."""
    return list(
        User.objects.filter(clinic=clinic, role__in=[Role.CLINICIAN, Role.NURSE], is_active=True).order_by(
            "last_name", "first_name", "id"
        )
    )


def _fmt(clinic: Any) -> tuple[engine.DateFmt, engine.TimeFmt]:
    def fmt_date(d: dt.date) -> str:
        return format_date(d, clinic)

    def fmt_time(t: dt.time) -> str:
        return format_time(t, clinic)

    return fmt_date, fmt_time


def calendar_for(
    clinician: Any, start: dt.datetime, end: dt.datetime, *, exclude: Appointment | None = None
) -> engine.Calendar:
    """The engine's picture of ``clinician`` between ``start`` and ``end``: clinic hours, closed days,
    availability, days away and booked appointments (except ``exclude``, the one being moved)."""
    clinic = clinician.clinic
    tz = clinic_tz(clinic)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    opening = tuple(
        engine.WeeklyPeriod(w, o, c)
        for w, o, c in OpeningHours.objects.filter(clinic=clinic).values_list("weekday", "opens", "closes")
    )
    closed = frozenset(
        ClosedDay.objects.filter(clinic=clinic, date__gte=first, date__lte=last).values_list(
            "date", flat=True
        )
    )
    avail = tuple(
        engine.WeeklyPeriod(w, s, e)
        for w, s, e in Availability.objects.filter(clinician=clinician).values_list(
            "weekday", "starts", "ends"
        )
    )
    away = tuple(
        engine.Away(a, b, r)
        for a, b, r in AvailabilityException.objects.filter(
            clinician=clinician, last_day__gte=first, first_day__lte=last
        ).values_list("first_day", "last_day", "reason")
    )
    busy_qs = Appointment.objects.filter(
        clinician=clinician, status=AppointmentStatus.BOOKED, ends_at__gt=start, starts_at__lt=end
    )
    if exclude is not None:
        busy_qs = busy_qs.exclude(pk=exclude.pk)
    busy = tuple(engine.Span(s, e) for s, e in busy_qs.values_list("starts_at", "ends_at"))
    return engine.Calendar(
        tz=tz, opening=opening, closed_days=closed, availability=avail, away=away, busy=busy
    )


def last_injection_on(patient: Patient, before: dt.date | None = None) -> dt.date | None:
    """The patient's last signed toxin session (any product, any indication) on or before ``before``
    (default today), from the treatment room."""
    last = treatment.last_session(patient, before)
    return None if last is None else last.injected_on


def payer_forbids_early(patient: Patient) -> bool:
    """The payer rule the engine takes: does the patient's payer refuse an injection inside the minimum
    interval? The first app's ``payer.py`` plug-in that knows the patient's payer answers (coverage, from
    the patient's authorization); otherwise the clinic's own ``refuse_inside_interval`` setting."""
    for mod in app_modules("payer"):
        verdict = mod.forbids_early(patient)
        if verdict is not None:
            return bool(verdict)
    return settings_for(patient.clinic).refuse_inside_interval


def interval_check(
    patient: Patient, kind: str, day: dt.date, payer_forbids: bool | None = None
) -> engine.Finding | None:
    """The minimum-interval finding for an injection on ``day``. ``payer_forbids`` is the payer rule
    (None: the clinic's setting); the coverage room passes its own verdict here."""
    if kind != AppointmentKind.INJECTION:
        return None
    if payer_forbids is None:
        payer_forbids = payer_forbids_early(patient)
    fmt_date, _ = _fmt(patient.clinic)
    return engine.interval_finding(
        last_injection_on(patient, before=day),
        day,
        interval_days=recall_interval_days(),
        payer_forbids=payer_forbids,
        fmt_date=fmt_date,
    )


# ------------------------------------------------------------------------------------------ slots


@dataclass(frozen=True)
class Slot:
    clinician: User
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class SlotSearch:
    """Free slots for a patient; ``window`` is the re-treatment window they were searched from (None for
    a kind that has none or a patient never injected)."""

    kind: str
    slots: list[Slot]
    window: recall.RecallWindow | None
    search_from: dt.datetime
    search_to: dt.datetime


def search_start(
    patient: Patient, kind: str, now: dt.datetime
) -> tuple[dt.datetime, recall.RecallWindow | None]:
    """Where the search begins: now, or for an injection the day the re-treatment window opens."""
    if kind != AppointmentKind.INJECTION:
        return now, None
    last = last_injection_on(patient)
    if last is None:
        return now, None
    window = treatment.next_window(last)
    tz = clinic_tz(patient.clinic)
    opens = dt.datetime.combine(window.opens, dt.time(0), tzinfo=tz)
    return max(now, opens), window


def free_slots(
    patient: Patient,
    *,
    kind: str = AppointmentKind.INJECTION,
    clinicians: Iterable[User] | None = None,
    weeks: int = SEARCH_WEEKS,
    limit: int = 12,
    now: dt.datetime | None = None,
) -> SlotSearch:
    """The earliest free slots for ``patient`` over ``weeks`` from the start of their window."""
    now = now or timezone.now()
    start, window = search_start(patient, kind, now)
    end = start + dt.timedelta(weeks=weeks)
    people = list(clinicians) if clinicians is not None else bookable_clinicians(patient.clinic)
    step = dt.timedelta(minutes=settings_for(patient.clinic).slot_minutes)
    cals = {c.pk: calendar_for(c, start, end) for c in people}
    by_pk = {c.pk: c for c in people}
    found = engine.free_slots_many(cals, start, end, duration(kind), step=step, limit=limit)
    slots = [Slot(by_pk[pk], s.start, s.end) for pk, s in found]  # type: ignore[index]
    return SlotSearch(kind, slots, window, start, end)


# ---------------------------------------------------------------------------------------- booking


def _refuse(findings: list[engine.Finding]) -> None:
    errors: dict[str, list[str]] = {}
    for f in findings:
        errors.setdefault(f.field, []).append(f.message)
    raise FieldError(errors)


def _clinician(clinic: Any, clinician: Any) -> User:
    if (
        clinician is None
        or clinician.clinic_id != clinic.pk
        or clinician.role not in (Role.CLINICIAN, Role.NURSE)
    ):
        raise FieldError({"clinician": ["Choose a clinician or nurse of your clinic."]})
    return clinician


def _lock(clinician: User) -> None:
    # One booking per clinician at a time: the row lock makes "check then insert" safe on PostgreSQL;
    # SQLite serialises writers already.
    User.objects.select_for_update().filter(pk=clinician.pk).first()


def check(
    patient: Patient,
    *,
    clinician: User,
    kind: str,
    starts_at: dt.datetime,
    moving: Appointment | None = None,
    now: dt.datetime | None = None,
    payer_forbids: bool | None = None,
) -> tuple[list[engine.Finding], engine.Finding | None]:
    """(refusals, interval finding) for booking this time. Nothing is stored."""
    now = now or timezone.now()
    if timezone.is_naive(starts_at):
        raise FieldError({"starts_at": ["Give the start with its time zone."]})
    span = engine.Span(starts_at, starts_at + duration(kind))
    fmt_date, fmt_time = _fmt(patient.clinic)
    cal = calendar_for(
        clinician, span.start - dt.timedelta(days=1), span.end + dt.timedelta(days=1), exclude=moving
    )
    refusals = engine.check_booking(cal, span, now=now, fmt_date=fmt_date, fmt_time=fmt_time)
    interval = interval_check(patient, kind, span.start.astimezone(cal.tz).date(), payer_forbids)
    if interval is not None and interval.severity == engine.REFUSAL:
        refusals.append(interval)
    return refusals, interval


def book(
    patient: Patient,
    *,
    actor: Any,
    clinician: Any,
    kind: str,
    starts_at: dt.datetime,
    location: Any = None,
    accept_early: bool = False,
    payer_forbids: bool | None = None,
) -> Appointment:
    """Book ``kind`` with ``clinician`` at ``starts_at``. Refused (``FieldError``, nothing stored) when the
    engine refuses; an injection inside the minimum interval needs ``accept_early``, and is refused when
    ``payer_forbids`` (None: the clinic's ``refuse_inside_interval`` setting)."""
    if kind not in AppointmentKind.values:
        raise FieldError({"kind": [f"Choose one of: {', '.join(AppointmentKind.labels)}."]})
    clinician = _clinician(patient.clinic, clinician)
    if location is not None and location.clinic_id != patient.clinic_id:
        raise FieldError({"location": ["Choose one of your clinic's locations."]})
    with transaction.atomic():
        _lock(clinician)
        refusals, interval = check(
            patient, clinician=clinician, kind=kind, starts_at=starts_at, payer_forbids=payer_forbids
        )
        if refusals:
            _refuse(refusals)
        if interval is not None and not accept_early:
            raise FieldError({"accept_early": [interval.message + " Confirm to book it anyway."]})
        appt = Appointment.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            clinician=clinician,
            location=location or patient.location,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + duration(kind),
            early_accepted=interval is not None,
            created_by=actor,
        )
        record_change("appointment.booked", appt, None, actor=actor)
        reminders.schedule(appt)
        if kind == AppointmentKind.INJECTION:
            transaction.on_commit(lambda: _after_injection_booked(appt))
    return appt


def _after_injection_booked(appt: Appointment) -> None:
    """Booked for today: open the draft now; otherwise make sure the daily opener is running."""
    from toxinclinic.scheduling import drafts

    if appt.starts_at.astimezone(clinic_tz(appt.clinic)).date() == timezone.localdate(
        timezone=clinic_tz(appt.clinic)
    ):
        drafts.open_draft(appt)
    drafts.ensure_ticking()


def _still_booked(appt: Appointment, expected_sequence: int | None) -> Appointment:
    current = Appointment.objects.select_for_update().get(pk=appt.pk)
    if expected_sequence is not None and current.sequence != expected_sequence:
        raise Conflict(
            current.sequence, "This appointment was changed by someone else: reload it and try again."
        )
    if current.status != AppointmentStatus.BOOKED:
        raise Conflict(
            current.sequence, f"This appointment is already {current.get_status_display().lower()}."
        )
    return current


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise FieldError({"reason": ["Say why (the patient asked, the clinician is ill, …)."]})
    if len(reason) > 300:
        raise FieldError({"reason": ["Keep the reason to 300 characters."]})
    return reason


def cancel(
    appt: Appointment, *, actor: Any, reason: str, expected_sequence: int | None = None
) -> Appointment:
    """Cancel with a reason: the row stays as history, its pending reminders go, calendars drop it."""
    reason = _reason(reason)
    with transaction.atomic():
        appt = _still_booked(appt, expected_sequence)
        before = snapshot(appt)
        appt.status, appt.status_reason, appt.sequence = (
            AppointmentStatus.CANCELLED,
            reason,
            appt.sequence + 1,
        )
        appt.save(update_fields=["status", "status_reason", "sequence", "updated_at"])
        record_change("appointment.cancelled", appt, before, actor=actor)
        reminders.cancel_pending(appt, "the appointment was cancelled")
    return appt


def reschedule(
    appt: Appointment,
    *,
    actor: Any,
    starts_at: dt.datetime,
    reason: str,
    clinician: Any = None,
    accept_early: bool = False,
    expected_sequence: int | None = None,
    payer_forbids: bool | None = None,
) -> Appointment:
    """Move to a new time (and clinician): the same appointment and calendar event, with new reminders."""
    reason = _reason(reason)
    with transaction.atomic():
        appt = _still_booked(appt, expected_sequence)
        who = _clinician(appt.patient.clinic, clinician or appt.clinician)
        _lock(who)
        refusals, interval = check(
            appt.patient,
            clinician=who,
            kind=appt.kind,
            starts_at=starts_at,
            moving=appt,
            payer_forbids=payer_forbids,
        )
        if refusals:
            _refuse(refusals)
        if interval is not None and not accept_early:
            raise FieldError({"accept_early": [interval.message + " Confirm to book it anyway."]})
        before = snapshot(appt)
        appt.clinician, appt.starts_at = who, starts_at
        appt.ends_at = starts_at + duration(appt.kind)
        appt.status_reason, appt.sequence, appt.early_accepted = (
            reason,
            appt.sequence + 1,
            interval is not None,
        )
        appt.save()
        record_change("appointment.rescheduled", appt, before, actor=actor)
        reminders.cancel_pending(appt, "the appointment moved")
        reminders.schedule(appt)
        if appt.kind == AppointmentKind.INJECTION and appt.visit_id is None:
            transaction.on_commit(lambda: _after_injection_booked(appt))
    return appt


def mark_no_show(
    appt: Appointment, *, actor: Any, reason: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Record that the patient did not come (only once the appointment has started)."""
    now = now or timezone.now()
    with transaction.atomic():
        appt = _still_booked(appt, None)
        if appt.starts_at > now:
            raise FieldError({"reason": ["The appointment has not started yet: cancel it instead."]})
        before = snapshot(appt)
        appt.status, appt.status_reason = AppointmentStatus.NO_SHOW, (reason or "").strip()[:300]
        appt.save(update_fields=["status", "status_reason", "updated_at"])
        record_change("appointment.no_show", appt, before, actor=actor)
        reminders.cancel_pending(appt, "the patient did not attend")
    return appt

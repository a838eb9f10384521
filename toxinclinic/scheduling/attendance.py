"""Attended: staff record that the patient came, and a signed injection visit records it by itself.

The signed visit reaches this room as the treatment room's ``session_recorded`` (never as an import of
visits): the patient's injection appointment on the session's day becomes attended, and remembers the
visit. Attended and did-not-attend are only for an appointment whose day has come (today or earlier); a
later one is cancelled or moved instead. A wrongly recorded no-show can still become attended (the patient
came late, or the signed visit proves they came); a cancelled appointment cannot.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.scheduling import reminders
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

#: The states an appointment may become attended from.
ATTENDABLE = (AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW)


def local_day(appt: Appointment) -> dt.date:
    return appt.starts_at.astimezone(clinic_tz(appt.clinic)).date()


def day_has_come(appt: Appointment, now: dt.datetime | None = None) -> bool:
    """Today or earlier in the clinic's zone: the day attended can be recorded."""
    now = now or timezone.now()
    return local_day(appt) <= now.astimezone(clinic_tz(appt.clinic)).date()


def _attend(appt: Appointment, *, actor: Any, reason: str, visit_id: uuid.UUID | None) -> Appointment:
    before = snapshot(appt)
    appt.status, appt.status_reason = AppointmentStatus.ATTENDED, reason
    fields = ["status", "status_reason", "updated_at"]
    if visit_id is not None and appt.visit_id is None:
        appt.visit_id = visit_id
        fields.append("visit_id")
    appt.save(update_fields=fields)  # a save, not an update: the worklist listens to post_save
    record_change("appointment.attended", appt, before, actor=actor)
    reminders.cancel_pending(appt, "the patient attended")
    return appt


def mark_attended(
    appt: Appointment,
    *,
    actor: Any,
    reason: str = "",
    now: dt.datetime | None = None,
    expected_sequence: int | None = None,
) -> Appointment:
    """Staff record that the patient came (arrived or seen). Refused before the appointment's day."""
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise FieldError({"reason": ["Keep the note to 300 characters."]})
    with transaction.atomic():
        current = Appointment.objects.select_for_update(of=("self",)).select_related("clinic").get(pk=appt.pk)
        if expected_sequence is not None and current.sequence != expected_sequence:
            raise Conflict(
                current.sequence, "This appointment was changed by someone else: reload it and try again."
            )
        if current.status not in ATTENDABLE:
            raise Conflict(
                current.sequence, f"This appointment is already {current.get_status_display().lower()}."
            )
        if not day_has_come(current, now):
            on = format_date(local_day(current), current.clinic)
            raise FieldError(
                {"__all__": [f"The appointment is on {on}: record attended on that day or after it."]}
            )
        return _attend(current, actor=actor, reason=reason, visit_id=None)


def attend_for_session(session: Any, now: dt.datetime | None = None) -> Appointment | None:
    """The patient's injection appointment on ``session.injected_on`` becomes attended (``session_recorded``,
    inside the signing transaction). The one whose draft was this visit first, then a booked one, then a
    recorded no-show; None when there is none (a walk-in) or the day is still ahead."""
    day = session.injected_on
    # One query for every signing (the demo signs thousands): a UTC window wide enough for any clinic
    # zone, then the clinic's own day in Python.
    lo = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    candidates = [
        a
        for a in Appointment.objects.filter(
            patient_id=session.patient_id,
            clinic_id=session.clinic_id,
            kind=AppointmentKind.INJECTION,
            status__in=ATTENDABLE,
            starts_at__gte=lo,
            starts_at__lt=lo + dt.timedelta(days=3),
        )
        .select_for_update(of=("self",))
        .select_related("clinic")
        .order_by("starts_at", "id")
        if local_day(a) == day
    ]
    vid = session.visit_id if isinstance(session.visit_id, uuid.UUID) else uuid.UUID(str(session.visit_id))

    def rank(a: Appointment) -> int:
        if a.visit_id == vid:
            return 0
        return 1 if a.status == AppointmentStatus.BOOKED else 2

    candidates.sort(key=rank)  # stable: earliest first within a rank
    if not candidates or not day_has_come(candidates[0], now):
        return None
    return _attend(candidates[0], actor=session.signed_by, reason="Visit signed", visit_id=vid)

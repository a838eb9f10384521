"""iCalendar (RFC 5545) feeds through ``icalendar``: per clinician and per patient, behind a secret token.

The token is shown once, kept only as its SHA-256 digest, and revocable (a revoked or unknown token gets
404). Each appointment is one event with a stable UID (its public id), a SEQUENCE raised on every change
and ``STATUS:CANCELLED`` once cancelled, so a subscribed calendar updates the same event. The event says
"Appointment at <clinic>" and the location's name: no patient name, kind, or other clinical detail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

import icalendar
from django.db.models import Q, QuerySet
from django.utils import timezone

from toxinclinic.audit.services import log_action
from toxinclinic.scheduling.models import Appointment, AppointmentStatus, CalendarToken

PRODID = "-//Toxin Clinic//Scheduling//EN"
UID_DOMAIN = "toxinclinic.scheduling"
#: How far back a feed still carries appointments (so a cancellation reaches the calendar).
FEED_PAST_DAYS = 60


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, actor: Any, clinician: Any = None, patient: Any = None) -> tuple[CalendarToken, str]:
    """A new feed token; the raw secret is returned once and never stored."""
    if (clinician is None) == (patient is None):
        raise ValueError("A feed is for one clinician or one patient.")
    clinic_id = (clinician or patient).clinic_id
    raw = secrets.token_urlsafe(32)
    token = CalendarToken.objects.create(
        clinic_id=clinic_id, clinician=clinician, patient=patient, digest=_digest(raw), prefix=raw[:8],
        created_by=actor,
    )  # fmt: skip
    log_action("calendar_feed.created", actor=actor, obj=token, clinic_id=clinic_id,
               patient_id=getattr(patient, "pk", None))  # fmt: skip
    return token, raw


def revoke(token: CalendarToken, *, actor: Any) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action("calendar_feed.revoked", actor=actor, obj=token, clinic_id=token.clinic_id,
                   patient_id=token.patient_id)  # fmt: skip


def live_token(raw: str) -> CalendarToken | None:
    if not raw or len(raw) > 100:
        return None
    return (
        CalendarToken.objects.filter(digest=_digest(raw), revoked_at__isnull=True)
        .select_related("clinic", "clinician", "patient")
        .first()
    )


def tokens_for(clinic_id: int) -> QuerySet[CalendarToken]:
    return CalendarToken.objects.filter(clinic_id=clinic_id).select_related(
        "clinician", "patient", "created_by"
    )


def uid(appt: Appointment) -> str:
    return f"{appt.public_id}@{UID_DOMAIN}"


def event(appt: Appointment) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid(appt))
    ev.add("dtstamp", (appt.updated_at or timezone.now()).astimezone(dt.UTC))
    ev.add("dtstart", appt.starts_at.astimezone(dt.UTC))
    ev.add("dtend", appt.ends_at.astimezone(dt.UTC))
    ev.add("sequence", appt.sequence)
    ev.add("summary", f"Appointment at {appt.clinic.name}")
    if appt.location is not None:
        ev.add("location", appt.location.name)
    # An attended appointment happened: it stays in the calendar as it was, not as cancelled.
    kept = appt.status in (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED)
    ev.add("status", "CONFIRMED" if kept else "CANCELLED")
    return ev


def calendar(appts: Iterable[Appointment], name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for a in appts:
        cal.add_component(event(a))
    return cal.to_ical()


def feed_appointments(token: CalendarToken, now: dt.datetime | None = None) -> QuerySet[Appointment]:
    now = now or timezone.now()
    owner = Q(clinician_id=token.clinician_id) if token.clinician_id else Q(patient_id=token.patient_id)
    return (
        Appointment.objects.filter(
            owner, clinic_id=token.clinic_id, starts_at__gte=now - dt.timedelta(days=FEED_PAST_DAYS)
        )
        .exclude(status=AppointmentStatus.NO_SHOW)
        .select_related("clinic", "location")
        .order_by("starts_at", "id")
    )


def feed(token: CalendarToken) -> bytes:
    return calendar(feed_appointments(token), f"Appointments at {token.clinic.name}")

"""Appointment reminders through the outbox: one message per appointment, lead time and start time.

The key ``appt:<public id>:remind-<n>d:<start iso>`` makes each reminder once-only (queueing it again
returns the stored message); a moved appointment gets new keys because its start changed. All of an
appointment's reminders share the topic ``appt:<public id>``, so one ``cancel`` drops the pending ones.
Lead times are the clinic's setting (``SchedulingSettings.reminder_days``, default 7 and 1 days).
The message says when and where, never why: no clinical detail, only a link to the portal.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from toxinclinic.accounts.locale import format_date, format_time
from toxinclinic.messaging import services as messaging
from toxinclinic.scheduling.models import Appointment, SchedulingSettings

KIND = "appointment_reminder"


def reminder_key(appt: Appointment, days: int) -> str:
    return f"{appt.reminder_topic}:remind-{days}d:{appt.starts_at.astimezone(dt.UTC).isoformat()}"


def lead_days(clinic_id: int) -> list[int]:
    s = SchedulingSettings.objects.filter(clinic_id=clinic_id).first()
    return s.reminder_day_list() if s is not None else SchedulingSettings().reminder_day_list()


def schedule(appt: Appointment, *, now: dt.datetime | None = None) -> list[int]:
    """Queue this appointment's reminders whose time has not passed; returns the lead days queued."""
    now = now or timezone.now()
    clinic = appt.clinic
    when = f"{format_date(appt.starts_at, clinic, style='long')} at {format_time(appt.starts_at, clinic)}"
    link = settings.SITE_URL + reverse("scheduling:my_appointment", args=[appt.public_id])
    queued = []
    for days in lead_days(appt.clinic_id):
        send_at = appt.starts_at - dt.timedelta(days=days)
        if send_at <= now:
            continue  # booked at short notice: that reminder's moment has passed
        messaging.queue_for_patient(
            appt.patient,
            kind=KIND,
            key=reminder_key(appt, days),
            subject=f"Appointment at {clinic.name}",
            body=(
                f"You have an appointment at {clinic.name} on {when}.\n\n"
                f"See it or add it to your calendar: {link}"
            ),
            topic=appt.reminder_topic,
            send_after=send_at,
        )
        queued.append(days)
    return queued


def cancel_pending(appt: Appointment, reason: str) -> int:
    """Cancel the reminders not sent yet (sent ones stay in the outbox as history)."""
    return messaging.cancel(topic=appt.reminder_topic, reason=reason)

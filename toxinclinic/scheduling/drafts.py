"""On the day of an injection appointment, open the visit draft so the clinician finds it ready.

A periodic task (a chain of deferred tasks kept alive by one ``Ticker`` row, as the messaging sweep
does) calls ``open_due_drafts``; it is idempotent (an appointment remembers its draft's public id), so a
repeated or late run opens nothing twice. The draft is made by the visits room's public
``create_visit``, with the indication and product of the patient's recall (their last signed session).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from toxinclinic.core.errors import FieldError
from toxinclinic.messaging import periodic
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, Recall

log = logging.getLogger(__name__)
TICKER = "scheduling.drafts"


def interval() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "TOXINCLINIC_SCHEDULING_DRAFT_SECONDS", 900)))


def due_today(now: dt.datetime | None = None) -> list[Appointment]:
    """Booked injection appointments starting today (each clinic's own today) with no draft yet."""
    now = now or timezone.now()
    rows = (
        Appointment.objects.filter(
            kind=AppointmentKind.INJECTION,
            status=AppointmentStatus.BOOKED,
            visit_id__isnull=True,
            starts_at__gte=now - dt.timedelta(days=1),
            starts_at__lt=now + dt.timedelta(days=1),
        )
        .select_related("patient", "clinic", "clinician", "location")
        .order_by("starts_at")
    )
    return [
        a
        for a in rows
        if a.starts_at.astimezone(clinic_tz(a.clinic)).date() == now.astimezone(clinic_tz(a.clinic)).date()
    ]


def open_draft(appt: Appointment) -> str | None:
    """Open the draft for ``appt``; returns its public id, or None when there is nothing to base it on
    (no recall yet: a first injection is documented from the chart)."""
    from toxinclinic.visits.services import create_visit  # the visits room's public door for a draft

    r = Recall.objects.filter(patient_id=appt.patient_id).order_by("-last_session_on").first()
    if r is None:
        return None
    day = appt.starts_at.astimezone(clinic_tz(appt.clinic)).date()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appt.pk)
        if locked.visit_id is not None or locked.status != AppointmentStatus.BOOKED:
            return None if locked.visit_id is None else str(locked.visit_id)
        try:
            visit = create_visit(
                appt.patient,
                actor=appt.clinician,
                visit_date=day,
                indication=r.indication,
                product=r.product,
                location=appt.location,
            )
        except FieldError as e:  # e.g. the day is not today in the server's zone yet: next run
            log.info("visit draft for appointment %s not opened: %s", appt.public_id, e)
            return None
        locked.visit_id = visit.public_id
        locked.save(update_fields=["visit_id", "updated_at"])
    return str(visit.public_id)


def open_due_drafts(now: dt.datetime | None = None) -> int:
    return sum(1 for a in due_today(now) if open_draft(a) is not None)


def ensure_ticking(now: dt.datetime | None = None) -> None:
    """Start the periodic chain if none is alive (called after a booking commits, and by the demo)."""
    from toxinclinic.scheduling.tasks import open_drafts_task

    periodic.ensure_ticking(TICKER, open_drafts_task, interval(), first_in=dt.timedelta(seconds=1), now=now)


def continue_ticking(scheduled_for: str) -> bool:
    """First thing the task does: schedule its successor, unless a newer chain replaced this one."""
    from toxinclinic.scheduling.tasks import open_drafts_task

    return periodic.continue_ticking(TICKER, open_drafts_task, interval(), scheduled_for)

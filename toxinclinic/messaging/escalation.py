"""Walk the clinic's on-call list until somebody acknowledges: contact 1 at once (or when the clinic opens),
then the next contact each time the clinic's limit passes without an acknowledgement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.messaging import conf, hours
from toxinclinic.messaging.models import (
    ClinicMessagingSettings,
    Escalation,
    EscalationStatus,
    Message,
    OnCallContact,
)
from toxinclinic.messaging.services import acknowledge_topic, messages_for, queue_message

OPEN_STATES = (EscalationStatus.WAITING, EscalationStatus.ACTIVE)


def limit_minutes(clinic_id: int) -> int:
    row = ClinicMessagingSettings.objects.filter(clinic_id=clinic_id).only("escalation_minutes").first()
    return row.escalation_minutes if row else conf.default_escalation_minutes()


def contacts(clinic_id: int) -> list[OnCallContact]:
    return list(
        OnCallContact.objects.filter(clinic_id=clinic_id, active=True, user__is_active=True)
        .select_related("user")
        .order_by("position")
    )


def start(
    *, clinic: Any, topic: str, kind: str, subject: str, body: str, now: dt.datetime | None = None
) -> Escalation:
    """Begin (once per topic) paging the on-call list. Call inside the transaction that stores the report."""
    now = now or timezone.now()
    existing = Escalation.objects.filter(topic=topic).first()
    if existing is not None:
        return existing
    people = contacts(clinic.pk)
    opening = hours.for_clinic(clinic)
    esc = Escalation(clinic=clinic, topic=topic, kind=kind, subject=subject, body=body)
    if not people:
        esc.status = EscalationStatus.NO_CONTACTS
        esc.save()
        return esc
    if not opening.is_open(now):
        esc.status = EscalationStatus.WAITING
        esc.next_step_at = opening.next_opening(now)
        esc.save()
        return esc
    esc.status = EscalationStatus.ACTIVE
    esc.save()
    _message_next(esc, people, now)
    return esc


def _message_next(esc: Escalation, people: list[OnCallContact], now: dt.datetime) -> None:
    """Message contact number ``esc.step + 1``, or mark the list exhausted. ``esc`` is locked or new."""
    if esc.step >= len(people):
        esc.status, esc.next_step_at = EscalationStatus.EXHAUSTED, None
        esc.save(update_fields=["status", "next_step_at"])
        return
    contact = people[esc.step]
    esc.step += 1
    queue_message(
        clinic_id=esc.clinic_id,
        kind=esc.kind,
        key=f"{esc.topic}:on-call:{esc.step}",
        topic=esc.topic,
        channel=contact.channel,
        recipient_user=contact.user,
        address=contact.resolved_address(),
        subject=esc.subject,
        body=esc.body,
    )
    esc.status = EscalationStatus.ACTIVE
    esc.next_step_at = now + dt.timedelta(minutes=limit_minutes(esc.clinic_id))
    esc.save(update_fields=["status", "step", "next_step_at"])


def run_due(now: dt.datetime | None = None) -> int:
    """Take every due step once (row lock + re-check, and one idempotency key per step)."""
    now = now or timezone.now()
    due = list(
        Escalation.objects.filter(status__in=OPEN_STATES, next_step_at__lte=now).values_list("pk", flat=True)
    )
    taken = 0
    for pk in due:
        with transaction.atomic():
            esc = Escalation.objects.select_for_update().filter(pk=pk).first()
            if esc is None or esc.status not in OPEN_STATES or esc.next_step_at is None:
                continue
            if esc.next_step_at > now:
                continue
            _message_next(esc, contacts(esc.clinic_id), now)
            taken += 1
    return taken


def acknowledge(topic: str, *, actor: Any, now: dt.datetime | None = None) -> None:
    """Somebody took charge on the triage queue: stop paging."""
    now = now or timezone.now()
    with transaction.atomic():
        esc = Escalation.objects.select_for_update().filter(topic=topic).first()
        if esc is not None and esc.status in (*OPEN_STATES, EscalationStatus.EXHAUSTED):
            esc.status = EscalationStatus.ACKNOWLEDGED
            esc.acknowledged_at, esc.acknowledged_by = now, actor
            esc.next_step_at = None
            esc.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "next_step_at"])
        acknowledge_topic(topic, actor=actor, now=now)


@dataclass
class State:
    """What happened for one topic, for the screens (patient and staff)."""

    escalation: Escalation | None
    messages: list[Message] = field(default_factory=list)
    next_contact: OnCallContact | None = None
    limit_minutes: int = 15
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    hours_configured: bool = True
    tz: dt.tzinfo | None = None

    @property
    def status(self) -> str:
        return self.escalation.status if self.escalation else ""


def state(topic: str, clinic: Any, now: dt.datetime | None = None) -> State:
    now = now or timezone.now()
    esc = Escalation.objects.filter(topic=topic).select_related("acknowledged_by").first()
    opening = hours.for_clinic(clinic)
    st = State(
        escalation=esc,
        messages=list(messages_for(topic)),
        limit_minutes=limit_minutes(clinic.pk),
        opens_at=opening.next_opening(now) if not opening.is_open(now) else None,
        closes_at=opening.closes_at(now),
        hours_configured=opening.configured,
        tz=opening.tz,
    )
    if esc is not None and esc.status in OPEN_STATES:
        people = contacts(clinic.pk)
        st.next_contact = people[esc.step] if esc.step < len(people) else None
    return st

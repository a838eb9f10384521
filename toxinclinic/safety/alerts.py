"""Urgent reports reach a person: page the clinic's on-call list through the messaging room, stop when
somebody acknowledges on the triage queue, and tell the patient what actually happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from toxinclinic.messaging import escalation
from toxinclinic.safety.models import TriageItem

KIND = "urgent_report"


def topic(item: TriageItem) -> str:
    return f"triage:{item.public_id}"


def start(item: TriageItem, clinic: Any, now: dt.datetime | None = None) -> None:
    """Queue the first on-call message (or wait for opening). No name, symptom or drug in the message:
    the link opens the triage item for a signed-in member of staff."""
    url = settings.SITE_URL + reverse("safety:triage_item", args=[item.public_id])
    minutes = escalation.limit_minutes(clinic.pk)
    escalation.start(
        clinic=clinic,
        topic=topic(item),
        kind=KIND,
        subject=f"{clinic.name}: urgent side-effect report waiting",
        body=(
            f"An urgent side-effect report is waiting on the triage queue of {clinic.name}.\n"
            f"Open it and press Acknowledge: {url}\n\n"
            f"You are on the clinic's on-call list. If nobody acknowledges it within {minutes} minutes of "
            "your message, the next person on the list is messaged."
        ),
        now=now,
    )


def acknowledge(item: TriageItem, actor: Any) -> None:
    escalation.acknowledge(topic(item), actor=actor)


def state(item: TriageItem, clinic: Any) -> escalation.State:
    return escalation.state(topic(item), clinic)

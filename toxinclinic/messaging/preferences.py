"""A patient's contact choices (one channel, reminders turned off) and the clinic's quiet hours.

``services.queue_for_patient`` reads both; the patient changes the choices on "How we contact you"
(portal and API), staff only see them. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from toxinclinic.core.errors import FieldError
from toxinclinic.messaging import hours
from toxinclinic.messaging.models import (
    ClinicMessagingSettings,
    ContactChannel,
    ContactPreference,
    ReminderGroup,
)


@dataclass(frozen=True)
class Choices:
    """What the screens show: the chosen channel, the address it uses, and each reminder switch."""

    channel: str
    channel_label: str
    email: str
    phone: str
    address: str
    reminders: tuple[tuple[str, str, bool], ...]  # (switch, words, on)

    @property
    def has_address(self) -> bool:
        return bool(self.address.strip())

    @property
    def turned_off(self) -> list[str]:
        return [label for _, label, on in self.reminders if not on]


def preference_for(patient: Any) -> ContactPreference:
    """The stored choice, or the defaults (unsaved) when the patient never chose."""
    pref = ContactPreference.objects.filter(patient=patient).first()
    return pref or ContactPreference(patient=patient)


def address_for(patient: Any, channel: str) -> str:
    """Always the patient's own address: a patient's message never goes to anybody else's."""
    return (patient.email if channel == ContactChannel.EMAIL else patient.phone) or ""


def choices_for(patient: Any) -> Choices:
    pref = preference_for(patient)
    return Choices(
        channel=pref.channel,
        channel_label=ContactChannel(pref.channel).label,
        email=patient.email or "",
        phone=patient.phone or "",
        address=address_for(patient, pref.channel),
        reminders=tuple((g.value, g.label, g.value not in pref.opted_out) for g in ReminderGroup),
    )


def save_choices(patient: Any, *, channel: str, reminders_on: list[str] | set[str], actor: Any) -> Choices:
    """Store the patient's choice (audited). ``reminders_on``: the switches left on; the rest are off."""
    from toxinclinic.audit.services import record_change, snapshot

    errors: dict[str, list[str]] = {}
    if channel not in ContactChannel.values:
        errors["channel"] = ["Choose e-mail or text message."]
    elif not address_for(patient, channel).strip():
        what = "e-mail address" if channel == ContactChannel.EMAIL else "mobile phone number"
        errors["channel"] = [
            f"We have no {what} for you, so we could not reach you that way. Choose the other one, or "
            "ask the clinic to add it."
        ]
    unknown = sorted(set(reminders_on) - set(ReminderGroup.values))
    if unknown:
        errors["reminders"] = [f"Unknown reminder: {', '.join(u[:30] for u in unknown)}."]
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        pref = ContactPreference.objects.select_for_update().filter(patient=patient).first()
        before = snapshot(pref) if pref else None
        pref = pref or ContactPreference(patient=patient)
        pref.channel = channel
        pref.opted_out = [g for g in ReminderGroup.values if g not in set(reminders_on)]
        pref.save()
        record_change(
            "contact_preference.updated" if before else "contact_preference.created",
            pref,
            before,
            actor=actor,
        )
    return choices_for(patient)


def quiet_hours(clinic: Any) -> tuple[dt.time | None, dt.time | None]:
    row = (
        ClinicMessagingSettings.objects.filter(clinic=clinic).values_list("quiet_from", "quiet_until").first()
    )
    if row is None:
        field_from = ClinicMessagingSettings._meta.get_field("quiet_from")
        field_until = ClinicMessagingSettings._meta.get_field("quiet_until")
        return field_from.get_default(), field_until.get_default()
    return row


def outside_quiet_hours(clinic: Any, moment: dt.datetime) -> dt.datetime:
    """``moment``, or the end of the clinic's quiet hours when it falls inside them."""
    start, end = quiet_hours(clinic)
    return hours.quiet_end(moment, start, end, hours.clinic_tz(clinic))

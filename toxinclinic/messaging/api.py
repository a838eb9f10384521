"""The patient's own contact choices in the JSON API (their token or session): read and change them."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router

from toxinclinic.core.schemas import Schema
from toxinclinic.messaging import preferences
from toxinclinic.patients.access import own_patient

API_PREFIX = "/messaging"
router = Router(tags=["messaging"])


class ReminderOut(Schema):
    kind: str = Field(..., description="appointment, window_opens, diary, questionnaire or check_in")
    label: str = Field(..., description="The kind of reminder, in words.")
    on: bool


class ContactPreferencesOut(Schema):
    channel: str = Field(..., description="email or sms")
    channel_label: str
    email: str = Field(
        ..., description="The e-mail address the clinic has for you (change it at the clinic)."
    )
    phone: str = Field(..., description="The phone number the clinic has for you.")
    address: str = Field(..., description="Where reminders go now: your own e-mail or phone.")
    reminders: list[ReminderOut]


class ContactIn(Schema):
    channel: str = Field(..., description="email or sms")
    reminders_on: list[str] = Field(
        ..., description="The reminder kinds you want; the others are turned off."
    )


def _out(c: preferences.Choices) -> dict[str, Any]:
    return {
        "channel": c.channel,
        "channel_label": c.channel_label,
        "email": c.email,
        "phone": c.phone,
        "address": c.address,
        "reminders": [{"kind": k, "label": label, "on": on} for k, label, on in c.reminders],
    }


_REFUSED = "Only the patient chooses how they are contacted; staff see it on the outbox."


@router.get("/contact-preferences", response=ContactPreferencesOut, summary="How the clinic contacts me")
def read_my_contact_preferences(request: HttpRequest) -> Any:
    return _out(preferences.choices_for(own_patient(request.user, refused=_REFUSED)))


@router.put(
    "/contact-preferences", response=ContactPreferencesOut, summary="Change how the clinic contacts me"
)
def change_my_contact_preferences(request: HttpRequest, body: ContactIn) -> Any:
    patient = own_patient(request.user, refused=_REFUSED)
    return _out(
        preferences.save_choices(
            patient, channel=body.channel, reminders_on=body.reminders_on, actor=request.user
        )
    )

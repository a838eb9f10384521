"""Outbox routes in the authorization matrix: staff of the clinic; patients never; another clinic 404.
"How we contact you" (screen and API): the patient's own only; staff never."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.tests.authz import Route, expect
from toxinclinic.core.tests.authz_leaks import MARK_ADA

PATIENTS_REFUSED = dict(patient=403, patient2=403, other_patient=403)
PATIENTS_ONLY = expect(anon=302, patient=200, patient2=200, other_patient=200, default=403)
PATIENTS_ONLY_API = expect(anon=401, patient=200, patient2=200, other_patient=200, default=403)


def path_keys(world: Any) -> dict[str, str]:
    from toxinclinic.messaging.services import queue_message

    msg = queue_message(
        clinic_id=world.clinic.pk,
        kind="check_in_reminder",
        key="authz:message",
        channel="email",
        recipient_patient=world.patient,
        subject=f"How are you? {MARK_ADA}",
        body=f"Please sign in. {MARK_ADA}",
    )
    return {"message": str(msg.public_id)}


M = "/messaging/outbox/{message}/"
ROUTES: list[Route] = [
    Route("messaging:outbox", "GET", "/messaging/outbox/", expect(anon=302, staff=200, default=403)),
    Route(
        "messaging:message",
        "GET",
        M,
        expect(anon=302, staff_a=200, other_clinician=404, default=403, **PATIENTS_REFUSED),
    ),
    Route(
        "messaging:retry",
        "POST",
        M + "retry/",
        expect(anon=302, staff_a=302, other_clinician=404, default=403, **PATIENTS_REFUSED),
    ),
    Route("messaging:contact_preferences", "GET", "/messaging/contact/", PATIENTS_ONLY),
    Route(
        "api:read_my_contact_preferences", "GET", "/api/v1/messaging/contact-preferences", PATIENTS_ONLY_API
    ),
    Route(
        "api:change_my_contact_preferences",
        "PUT",
        "/api/v1/messaging/contact-preferences",
        PATIENTS_ONLY_API,
        body={"channel": "email", "reminders_on": ["appointment", "check_in"]},
    ),
]

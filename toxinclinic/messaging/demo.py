"""Demo step: the demo clinic's on-call list (nurse by e-mail, clinician by text message, then the nurse
injector), weekday opening hours 8:00-17:00, the default 15-minute escalation limit and quiet hours
21:00-08:00 for messages to patients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.messaging.models import ClinicMessagingSettings, OnCallContact, OpeningHours

DEMO_ORDER = 25
ON_CALL = [("nurse", "email", ""), ("clinician", "sms", "+1 212 555 0142"), ("injector", "email", "")]


def seed(ctx: Any) -> None:
    clinic = ctx.clinic
    ClinicMessagingSettings.objects.get_or_create(
        clinic=clinic,
        defaults={"escalation_minutes": 15, "quiet_from": dt.time(21), "quiet_until": dt.time(8)},
    )
    for position, (who, channel, address) in enumerate(ON_CALL, start=1):
        user = ctx.staff.get(who)
        if user is None:
            continue
        OnCallContact.objects.get_or_create(
            clinic=clinic, position=position, defaults={"user": user, "channel": channel, "address": address}
        )
    if not OpeningHours.objects.filter(clinic=clinic).exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(clinic=clinic, weekday=d, opens=dt.time(8), closes=dt.time(17)) for d in range(5)
        )

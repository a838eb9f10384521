"""A clinic with opening hours (weekdays 8-17) and a clinician bookable weekdays 9-12 and 13-16."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import OpeningHours
from toxinclinic.scheduling.models import Availability

T = dt.time


def open_clinic(world: Any, clinician: Any = None) -> Any:
    clinician = clinician or world.user("clinician")
    for wd in range(5):
        OpeningHours.objects.create(clinic=world.clinic, weekday=wd, opens=T(8), closes=T(17))
        Availability.objects.create(
            clinic=world.clinic, clinician=clinician, weekday=wd, starts=T(9), ends=T(12)
        )
        Availability.objects.create(
            clinic=world.clinic, clinician=clinician, weekday=wd, starts=T(13), ends=T(16)
        )
    return clinician


def next_weekday(days_ahead: int = 7) -> dt.date:
    """A Monday-to-Friday date at least ``days_ahead`` days from the clinic's today."""
    d = timezone.localdate() + dt.timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def at(world: Any, day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(h, m), tzinfo=clinic_tz(world.clinic))

"""Demo step: clinicians' weekly availability (inside the clinic's 8-17 hours), a week of leave, and
appointments booked for demo patients in the coming weeks, each at the first free time of their window
(so none is inside the minimum interval), with their reminders queued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.core.errors import FieldError
from toxinclinic.patients.models import Patient
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import AppointmentKind, Availability, AvailabilityException

DEMO_ORDER = 35  # after visits (20), opening hours (messaging, 25) and signed sessions (safety, 30)
T = dt.time
#: (staff key, weekdays, periods) — the prescriber every weekday, the nurse injector Tue and Thu.
WEEKS = [
    ("clinician", range(5), [(T(9), T(12)), (T(13), T(16))]),
    ("injector", (1, 3), [(T(8, 30), T(12, 30))]),
]
BOOKED = 24


def seed(ctx: Any) -> None:
    clinic = ctx.clinic
    if Availability.objects.filter(clinic=clinic).exists():
        return
    for key, days, periods in WEEKS:
        user = ctx.staff.get(key)
        if user is None:
            continue
        Availability.objects.bulk_create(
            Availability(clinic=clinic, clinician=user, weekday=d, starts=a, ends=b)
            for d in days
            for a, b in periods
        )
    if (inj := ctx.staff.get("injector")) is not None:
        first = ctx.today + dt.timedelta(days=21)
        AvailabilityException.objects.create(
            clinic=clinic,
            clinician=inj,
            first_day=first,
            last_day=first + dt.timedelta(days=6),
            reason="Leave",
        )
    actor = ctx.staff.get("coordinator")
    rng = ctx.rng_for("scheduling")
    ids = [p for p in ctx.patient_ids if p != getattr(ctx.demo_patient, "pk", None)]
    rng.shuffle(ids)
    chosen = ([ctx.demo_patient.pk] if ctx.demo_patient is not None else []) + ids[: BOOKED - 1]
    now = timezone.now()
    for pid in chosen:
        patient = Patient.objects.select_related("clinic").get(pk=pid)
        kind = AppointmentKind.INJECTION if rng.random() < 0.75 else rng.choice(
            [AppointmentKind.FOLLOW_UP, AppointmentKind.PHONE]
        )  # fmt: skip
        later = now + dt.timedelta(days=rng.randint(1, 10))
        search = booking.free_slots(patient, kind=kind, weeks=6, limit=8, now=later)
        if not search.slots:
            continue
        slot = search.slots[rng.randrange(len(search.slots))]
        try:
            booking.book(patient, actor=actor, clinician=slot.clinician, kind=kind, starts_at=slot.start)
        except FieldError:
            continue  # e.g. the slot went to an earlier demo booking

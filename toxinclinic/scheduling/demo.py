"""Demo step: clinicians' weekly availability (inside the clinic's 8-17 hours), a week of leave,
appointments booked for demo patients in the coming weeks, each at the first free time of their window
(so none is inside the minimum interval), with their reminders queued, and for each patient's last signed
session the injection appointment it was, attended (as signing the visit would have marked it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from toxinclinic.core.errors import FieldError
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.patients.models import Patient
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Availability,
    AvailabilityException,
)
from toxinclinic.treatment.models import TreatmentSession

DEMO_ORDER = 35  # after visits (20), opening hours (messaging, 25) and signed sessions (safety, 30)
T = dt.time
#: (staff key, weekdays, periods) — the prescriber every weekday, the nurse injector Tue and Thu.
WEEKS = [
    ("clinician", range(5), [(T(9), T(12)), (T(13), T(16))]),
    ("injector", (1, 3), [(T(8, 30), T(12, 30))]),
]
BOOKED = 24
#: Start times of the attended history on one day (the prescriber's 9-12 and 13-16, every 30 minutes).
HISTORY_TIMES = [T(h, m) for h in (9, 10, 11, 13, 14, 15) for m in (0, 30)]


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
    _attended_history(ctx, actor)
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


def _attended_history(ctx: Any, actor: Any) -> None:
    doc = ctx.staff.get("clinician")
    if doc is None:
        return
    tz = clinic_tz(ctx.clinic)
    last: dict[int, tuple[dt.date, Any]] = {}
    for pid, day, vid in (
        TreatmentSession.objects.filter(patient_id__in=ctx.patient_ids, injected_on__lte=ctx.today)
        .order_by("patient_id", "injected_on", "id")
        .values_list("patient_id", "injected_on", "visit_id")
    ):
        last[pid] = (day, vid)
    taken: dict[dt.date, int] = defaultdict(int)
    rows = []
    for pid, (day, vid) in sorted(last.items()):
        n = taken[day]
        taken[day] += 1
        if n >= len(HISTORY_TIMES):
            continue  # a day fuller than the prescriber's hours: the rest were walk-ins
        start = dt.datetime.combine(day, HISTORY_TIMES[n], tzinfo=tz)
        rows.append(
            Appointment(
                clinic=ctx.clinic, patient_id=pid, clinician=doc, kind=AppointmentKind.INJECTION,
                starts_at=start, ends_at=start + booking.duration(AppointmentKind.INJECTION),
                status=AppointmentStatus.ATTENDED, status_reason="Visit signed", visit_id=vid,
                created_by=actor,
            )
        )  # fmt: skip
    Appointment.objects.bulk_create(rows, batch_size=2000)

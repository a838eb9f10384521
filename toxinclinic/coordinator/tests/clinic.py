"""A hand-built clinic of 20 patients, one or more per worklist state, for the correctness tests and the
browser journey. Dates are relative to the clinic's today."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction

from conftest import make_patient
from toxinclinic.coordinator import rows
from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.safety import services as safety
from toxinclinic.scheduling.models import Appointment, AppointmentKind
from toxinclinic.testing import today
from toxinclinic.treatment.services import record_session


def session(p: Any, days_ago: int, units: float = 155) -> None:
    record_session(
        visit_id=uuid.uuid4(),
        patient=p,
        clinic_id=p.clinic_id,
        injected_on=today() - dt.timedelta(days=days_ago),
        product="botox",
        indication="chronic_migraine",
        total_units=units,
        sites=[],
    )


def diary(p: Any, days: int) -> None:
    """``days`` recorded diary days ending today (each a 5-hour headache every other day)."""
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=p,
            clinic_id=p.clinic_id,
            date=today() - dt.timedelta(days=i),
            headache=i % 2 == 0,
            duration_hours=5 if i % 2 == 0 else 0,
            severity="moderate" if i % 2 == 0 else "none",
            headache_day=i % 2 == 0,
        )
        for i in range(days)
    )


def book(world: Any, p: Any, days_ahead: int) -> Appointment:
    start = dt.datetime.combine(today() + dt.timedelta(days=days_ahead), dt.time(10), tzinfo=dt.UTC)
    return Appointment.objects.create(
        clinic=world.clinic,
        patient=p,
        clinician=world.user("clinician"),
        kind=AppointmentKind.INJECTION,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
    )


def approve(p: Any, *, visits: int, used_from_days_ago: int, ends_in: int) -> None:
    PriorAuthorization.objects.create(
        patient=p,
        clinic_id=p.clinic_id,
        payer="Acme Health",
        status=AuthStatus.APPROVED,
        units_per_session=155,
        visits_approved=visits,
        starts_on=today() - dt.timedelta(days=used_from_days_ago),
        ends_on=today() + dt.timedelta(days=ends_in),
    )


#: name -> (last session days ago or None, what else)
CLINIC: dict[str, tuple[int | None, dict[str, Any]]] = {
    "Early": (30, {"diary": 30}),
    "Early2": (60, {"diary": 28}),
    "Weekahead": (80, {"diary": 30}),  # window opens in 4 days: due this week
    "Inwindow": (88, {"diary": 30}),  # due this week (window open, not overdue)
    "Overdue": (120, {"diary": 30}),
    "Overdue2": (200, {"diary": 30}),
    "Bookedlate": (150, {"diary": 30, "book": 5}),  # would be overdue; booked
    "Booked": (86, {"diary": 30, "book": 3}),
    "Expiring": (40, {"diary": 30, "auth": {"visits": 4, "used_from_days_ago": 300, "ends_in": 20}}),
    "Novisits": (50, {"diary": 30, "auth": {"visits": 1, "used_from_days_ago": 100, "ends_in": 200}}),
    "Authok": (45, {"diary": 30, "auth": {"visits": 4, "used_from_days_ago": 100, "ends_in": 200}}),
    "Gap": (35, {"diary": 10}),
    "Nodiary": (36, {}),
    "Urgent": (10, {"diary": 30, "urgent": True}),
    "New": (None, {"diary": 30}),
    "Moved": (130, {"diary": 30, "outreach": "moved_away"}),
    "Called": (125, {"diary": 30, "outreach": "no_answer"}),
    "Mine": (110, {"diary": 30, "assign": True}),
    "Steady": (70, {"diary": 30}),
    "Steady2": (75, {"diary": 25}),
}


def build_clinic(world: Any) -> dict[str, Any]:
    from toxinclinic.coordinator import services

    out: dict[str, Any] = {}
    with transaction.atomic():
        for i, (name, (ago, extra)) in enumerate(CLINIC.items()):
            p = make_patient(world.clinic, f"W{i:03d}", "Pat", name)
            out[name] = p
            if ago is not None:
                session(p, ago)
            if extra.get("diary"):
                diary(p, extra["diary"])
            if "book" in extra:
                book(world, p, extra["book"])
            if "auth" in extra:
                approve(p, **extra["auth"])
            if extra.get("urgent"):
                safety.report_side_effect(p, symptoms=["trouble_breathing"], actor=world.user("nurse"))
    rows.refresh(world.clinic.pk)
    for name, (_, extra) in CLINIC.items():
        if "outreach" in extra:
            services.record_outreach(out[name], actor=world.user("coordinator"), outcome=extra["outreach"])
        if extra.get("assign"):
            services.assign(out[name], world.user("coordinator"), actor=world.user("coordinator"))
    return out

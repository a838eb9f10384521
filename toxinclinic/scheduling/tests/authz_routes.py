"""Scheduling routes in the authorization matrix (the recall list's rows are in visits/tests/authz_routes.py).

Every staff member sees the schedule and books for their own clinic; clinicians and nurses keep their own
availability and clinic admins anyone's (coordinators book but do not set hours; another clinic's clinician
sees only their own card, so the screen answers them too);
a patient opens only their own appointment (another patient's id is a 404) and never the staff screens;
another clinic's staff get 404 for clinic A's patients and appointments. A calendar feed needs no login:
its secret token is the key, so it answers everyone alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone

from toxinclinic.core.tests.authz import Route, expect

# Request bodies cannot be filled from path keys, so the patient and clinician they name have fixed ids.
FIXED_PATIENT = "5c4ed000-0000-4000-8000-000000000001"
FIXED_CLINICIAN = "5c4ed000-0000-4000-8000-000000000002"


def _weekday(days_ahead: int) -> dt.date:
    d = timezone.localdate() + dt.timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


DAY = _weekday(10)
TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)  # clinic A has no zone of its own: the installation's


def _at(h: int) -> str:
    return dt.datetime.combine(DAY, dt.time(h), tzinfo=TZ).isoformat()


STAFF_PAGE = dict(anon=302, staff=200, default=403)
# Staff of clinic A; patients are refused the staff screen, another clinic's staff never see the id.
CLINIC_A = dict(anon=302, staff_a=200, other_clinician=404, default=403)
CLINIC_A_API = dict(anon=401, staff_a=200, other_clinician=404, default=403)
BOOKERS_API = {
    **CLINIC_A_API,
    **dict.fromkeys(("nurse", "clinician", "injector", "coordinator", "admin"), 201),
}
FORM_ERRORS = dict.fromkeys(("nurse", "clinician", "injector", "coordinator", "admin"), 400)
OWN = dict(anon=302, patient=200, patient2=404, other_patient=404, default=403)
# Those who see patients keep their own hours; admins anyone's; coordinators and patients never.
HOURS_KEEPERS = ("nurse", "clinician", "injector", "admin", "other_clinician")

ROUTES: list[Route] = [
    Route("scheduling:schedule", "GET", "/scheduling/schedule/", expect(**STAFF_PAGE)),
    Route(
        "scheduling:schedule",
        "GET",
        f"/scheduling/schedule/?span=week&day={DAY.isoformat()}",
        expect(**STAFF_PAGE),
    ),
    Route("scheduling:slots", "GET", "/scheduling/patients/{patient}/slots/", expect(**CLINIC_A)),
    Route("scheduling:appointment", "GET", "/scheduling/appointments/{appointment}/", expect(**CLINIC_A)),
    Route(
        "scheduling:availability",
        "GET",
        "/scheduling/availability/",
        expect(anon=302, default=403, own_clinic=True, **dict.fromkeys(HOURS_KEEPERS, 200)),
    ),
    Route("scheduling:feeds", "GET", "/scheduling/feeds/", expect(**STAFF_PAGE)),
    # Form posts with nothing filled in: refused with the form's errors (400) for those allowed.
    Route(
        "scheduling:slots",
        "POST",
        "/scheduling/patients/{patient}/slots/",
        expect(**{**CLINIC_A, **FORM_ERRORS}),
        body={},
    ),
    Route(
        "scheduling:appointment",
        "POST",
        "/scheduling/appointments/{appointment}/",
        expect(**{**CLINIC_A, **FORM_ERRORS}),
        body={},
    ),
    Route(
        "scheduling:availability",
        "POST",
        "/scheduling/availability/",
        expect(anon=302, default=403, own_clinic=True, **dict.fromkeys(HOURS_KEEPERS, 400)),
        body={},
    ),
    Route("scheduling:feeds", "POST", "/scheduling/feeds/", expect(**STAFF_PAGE), body={}),
    Route("scheduling:feed", "GET", "/scheduling/feeds/{feed_token}.ics", expect(200)),
    Route("scheduling:feed", "GET", "/scheduling/feeds/not-a-live-token.ics", expect(404)),
    Route("scheduling:my_appointment", "GET", "/scheduling/my/appointments/{appointment}/", expect(**OWN)),
    Route(
        "scheduling:my_appointment_ics",
        "GET",
        "/scheduling/my/appointments/{appointment}.ics",
        expect(**OWN),
    ),
    # API
    Route(
        "api:list_slots",
        "GET",
        "/api/v1/appointments/slots?patient={patient}&kind=follow_up&limit=2",
        expect(**CLINIC_A_API),
    ),
    Route("api:list_appointments", "GET", "/api/v1/appointments", expect(anon=401, staff=200, default=403)),
    Route(
        "api:list_appointments",
        "GET",
        "/api/v1/appointments?patient={patient}&upcoming=false",
        expect(**CLINIC_A_API),
    ),
    Route(
        "api:create_appointment",
        "POST",
        "/api/v1/appointments",
        expect(**BOOKERS_API),
        body={
            "patient": FIXED_PATIENT,
            "clinician": FIXED_CLINICIAN,
            "kind": "follow_up",
            "starts_at": _at(13),
        },
    ),
    Route("api:get_appointment", "GET", "/api/v1/appointments/{appointment}", expect(**CLINIC_A_API)),
    Route(
        "api:cancel_appointment",
        "POST",
        "/api/v1/appointments/{appointment}/cancel",
        expect(**CLINIC_A_API),
        body={"reason": "The patient asked to cancel."},
    ),
    Route(
        "api:reschedule_appointment",
        "POST",
        "/api/v1/appointments/{appointment}/reschedule",
        expect(**CLINIC_A_API),
        body={"starts_at": _at(10), "reason": "The patient asked for a later time."},
    ),
    Route(
        "api:no_show",
        "POST",
        "/api/v1/appointments/{past_appointment}/no-show",
        expect(**CLINIC_A_API),
        body={"reason": "No answer on the phone."},
    ),
    Route(
        "api:attended",
        "POST",
        "/api/v1/appointments/{past_appointment}/attended",
        expect(**CLINIC_A_API),
        body={"reason": "Arrived on time."},
    ),
]


def path_keys(world: Any) -> dict[str, str]:
    """Clinic A: a clinician with weekday hours (fixed id), a booked follow-up for the patient on DAY at
    09:00, one that started an hour ago (for did-not-attend), a feed token, and a patient with a fixed id."""
    from toxinclinic.accounts.models import Role, User
    from toxinclinic.patients.models import Patient
    from toxinclinic.scheduling import booking, ical
    from toxinclinic.scheduling.models import Appointment, AppointmentKind
    from toxinclinic.scheduling.tests.helpers import open_clinic

    clinic = world.clinic
    doc = User.objects.create_user(
        username="sched-fixture",
        password=None,
        role=Role.CLINICIAN,
        clinic=clinic,
        first_name="Sam",
        last_name="Fixture",
        public_id=uuid.UUID(FIXED_CLINICIAN),
    )
    open_clinic(world, doc)
    Patient.objects.create(
        public_id=uuid.UUID(FIXED_PATIENT),
        clinic=clinic,
        mrn="SCH1",
        first_name="Zoe",
        last_name="Fixture",
        date_of_birth=dt.date(1980, 1, 1),
        enrolled_on=dt.date(2025, 1, 1),
    )
    admin = world.user("admin")
    appt = booking.book(
        world.patient,
        actor=admin,
        clinician=doc,
        kind=AppointmentKind.FOLLOW_UP,
        starts_at=dt.datetime.fromisoformat(_at(9)),
    )
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    past = Appointment.objects.create(
        clinic=clinic,
        patient=world.patient,
        clinician=doc,
        kind=AppointmentKind.FOLLOW_UP,
        starts_at=start,
        ends_at=start + booking.duration(AppointmentKind.FOLLOW_UP),
        created_by=admin,
    )
    _, raw = ical.create_token(actor=admin, clinician=doc)
    return {
        "appointment": str(appt.public_id),
        "past_appointment": str(past.public_id),
        "feed_token": raw,
    }

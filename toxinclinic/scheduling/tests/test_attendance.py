"""Attended: a signed injection visit marks that day's injection appointment attended (through the treatment
room's ``session_recorded``); staff record it on the appointment screen and in the API, only once the day
has come; the worklist's interface, the portal and the calendar feed treat it as past and kept."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import icalendar
import pytest
from django.utils import timezone

from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.scheduling import attendance, booking, ical
from toxinclinic.scheduling.appointments import has_booked_or_open, next_appointments
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic
from toxinclinic.testing import sign_visit

pytestmark = pytest.mark.django_db


def _appt(
    world: Any, start: dt.datetime, *, patient: Any = None, kind: str = AppointmentKind.INJECTION, **kw: Any
) -> Appointment:
    return Appointment.objects.create(
        clinic=world.clinic,
        patient=patient or world.patient,
        clinician=world.user("clinician"),
        kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        **kw,
    )


def _today_at(world: Any, h: int) -> dt.datetime:
    return dt.datetime.combine(timezone.localdate(), dt.time(h), tzinfo=clinic_tz(world.clinic))


def test_signed_visit_marks_that_days_injection_appointment_attended(world: Any) -> None:
    # Started ten minutes ago and not over: until it is attended, it counts as booked ahead.
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    day = start.astimezone(clinic_tz(world.clinic)).date()
    appt = _appt(world, start)
    phone = _appt(world, start + dt.timedelta(hours=2), kind=AppointmentKind.PHONE)
    other = _appt(world, start, patient=world.patient2)
    ids = [world.patient.pk, world.patient2.pk]
    assert world.patient.pk in has_booked_or_open(world.clinic.pk, ids)
    visit_id = sign_visit(world.patient, day, signed_by=world.user("clinician"))
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.ATTENDED and appt.status_reason == "Visit signed"
    assert str(appt.visit_id) == visit_id  # the appointment links to the visit that proves it
    event = AuditEvent.objects.get(action="appointment.attended")
    assert event.actor_id == world.user("clinician").pk and event.patient_id == world.patient.pk
    phone.refresh_from_db()
    other.refresh_from_db()
    assert phone.status == other.status == AppointmentStatus.BOOKED  # only the injection, only theirs
    # The worklist's interface: an attended appointment is neither "booked ahead" nor the next one.
    assert world.patient.pk not in has_booked_or_open(world.clinic.pk, ids)
    assert world.patient.pk not in next_appointments(world.clinic.pk, ids, kind=AppointmentKind.INJECTION)
    assert world.patient2.pk in has_booked_or_open(world.clinic.pk, ids)


def test_the_visits_own_appointment_wins_and_a_wrong_no_show_is_corrected(world: Any) -> None:
    early = _appt(world, _today_at(world, 8))
    mine = _appt(world, _today_at(world, 11), status=AppointmentStatus.NO_SHOW, visit_id=uuid.uuid4())
    session = type("S", (), {})()  # the signal's session: only the fields the receiver reads
    session.patient_id, session.clinic_id = world.patient.pk, world.clinic.pk
    session.injected_on, session.visit_id, session.signed_by = timezone.localdate(), mine.visit_id, None
    assert attendance.attend_for_session(session) == mine
    mine.refresh_from_db()
    early.refresh_from_db()
    assert mine.status == AppointmentStatus.ATTENDED and early.status == AppointmentStatus.BOOKED
    assert attendance.attend_for_session(session) == early  # a second session that day: the booked one
    assert attendance.attend_for_session(session) is None  # none left: nothing changes


def test_no_appointment_or_a_later_day_changes_nothing(world: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    later = _appt(world, dt.datetime.combine(tomorrow, dt.time(9), tzinfo=clinic_tz(world.clinic)))
    sign_visit(world.patient, timezone.localdate() - dt.timedelta(days=3))  # a walk-in, days ago
    later.refresh_from_db()
    assert later.status == AppointmentStatus.BOOKED
    assert not AuditEvent.objects.filter(action="appointment.attended").exists()


def test_staff_record_attended_only_once_the_day_has_come(world: Any, client_as: Any) -> None:
    open_clinic(world)
    future = booking.book(
        world.patient, actor=world.user("coordinator"), clinician=world.user("clinician"),
        kind=AppointmentKind.FOLLOW_UP, starts_at=at(world, next_weekday(5), 9),
    )  # fmt: skip
    c = client_as("nurse")
    url = f"/scheduling/appointments/{future.public_id}/"
    assert "Record attended" not in c.get(url).content.decode()
    r = c.post(url, {"action": "attended", "sequence": 0})
    assert r.status_code == 400 and "record attended on that day or after it" in r.content.decode()
    future.refresh_from_db()
    assert future.status == AppointmentStatus.BOOKED
    today = _appt(world, _today_at(world, 7), kind=AppointmentKind.FOLLOW_UP)
    url = f"/scheduling/appointments/{today.public_id}/"
    assert "Record attended" in c.get(url).content.decode()  # today: even before it starts
    r = c.post(url, {"action": "attended", "sequence": 0, "reason": "Arrived early"})
    assert r.status_code == 302
    today.refresh_from_db()
    assert today.status == AppointmentStatus.ATTENDED and today.status_reason == "Arrived early"
    page = c.get(url).content.decode()
    assert "Attended" in page and "Record attended" not in page and "Move the appointment" not in page
    assert c.post(url, {"action": "attended", "sequence": 0}).status_code == 409
    assert client_as("other_clinician").post(url, {"action": "attended"}).status_code == 404
    with pytest.raises(Conflict):
        booking.cancel(today, actor=world.user("nurse"), reason="too late")
    with pytest.raises(FieldError) as exc:
        attendance.mark_attended(future, actor=world.user("nurse"), reason="x" * 301)
    assert exc.value.errors == {"reason": ["Keep the note to 300 characters."]}


def test_a_no_show_can_become_attended_a_cancelled_one_cannot(world: Any) -> None:
    appt = _appt(world, timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5))
    booking.mark_no_show(appt, actor=world.user("coordinator"))
    late = attendance.mark_attended(appt, actor=world.user("coordinator"), reason="Came 40 minutes late")
    assert late.status == AppointmentStatus.ATTENDED
    cancelled = _appt(world, _today_at(world, 6), status=AppointmentStatus.CANCELLED)
    with pytest.raises(Conflict):
        attendance.mark_attended(cancelled, actor=world.user("coordinator"))


def test_api_records_attended(world: Any, client_as: Any) -> None:
    c = client_as("coordinator")
    today = _appt(world, _today_at(world, 10), kind=AppointmentKind.PHONE)
    r = c.post(f"/api/v1/appointments/{today.public_id}/attended", {"reason": ""},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "attended" and r.json()["status_label"] == "Attended"
    again = c.post(f"/api/v1/appointments/{today.public_id}/attended", {}, content_type="application/json")
    assert again.status_code == 409
    later = _appt(world, _today_at(world, 10) + dt.timedelta(days=3))
    r = c.post(f"/api/v1/appointments/{later.public_id}/attended", {}, content_type="application/json")
    assert r.status_code == 422 and "on that day or after it" in r.json()["detail"][0]["msg"]
    later.refresh_from_db()
    assert later.status == AppointmentStatus.BOOKED


def test_portal_and_feed_show_an_attended_appointment_as_past_and_kept(world: Any, client_as: Any) -> None:
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    appt = _appt(world, start)
    sign_visit(world.patient, start.astimezone(clinic_tz(world.clinic)).date())
    p = client_as("patient")
    page = p.get(f"/scheduling/my/appointments/{appt.public_id}/").content.decode()
    assert "Past appointment at Clinic A" in page and "Attended" in page and "Add to calendar" not in page
    home = p.get("/home/").content.decode()
    assert "Nothing booked" in home and re.search(r"Last appointment: [^<]+, attended\.", home)
    _, raw = ical.create_token(actor=world.user("nurse"), patient=world.patient)
    body = client_as(None).get(f"/scheduling/feeds/{raw}.ics").content
    (ev,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(ev["STATUS"]) == "CONFIRMED"  # it happened: not shown as cancelled

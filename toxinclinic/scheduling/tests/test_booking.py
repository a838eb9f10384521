"""Booking refusals say why and store nothing; the minimum interval warns, or refuses by payer rule;
cancel/reschedule need a reason; reminders follow the appointment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.messaging.models import Message, Status
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AvailabilityException,
)
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic
from toxinclinic.testing import sign_visit

pytestmark = pytest.mark.django_db


def _book(world: Any, when: dt.datetime, **kw: Any) -> Appointment:
    args = {"actor": world.user("coordinator"), "clinician": world.user("clinician"),
            "kind": AppointmentKind.FOLLOW_UP, "starts_at": when, **kw}  # fmt: skip
    return booking.book(world.patient, **args)


def _refused(world: Any, when: dt.datetime, **kw: Any) -> dict[str, list[str]]:
    before = Appointment.objects.count(), Message.objects.count()
    with pytest.raises(FieldError) as exc:
        _book(world, when, **kw)
    assert (Appointment.objects.count(), Message.objects.count()) == before  # nothing stored
    return exc.value.errors


def test_double_booking_is_refused_with_the_clash(world: Any) -> None:
    open_clinic(world)
    day = next_weekday(10)
    _book(world, at(world, day, 10))
    errors = _refused(world, at(world, day, 10, 10))
    on = booking.format_date(day, world.clinic)
    msg = f"Double booking: the clinician already has an appointment from 10:00 AM to 10:20 AM on {on}."
    assert errors == {"starts_at": [msg]}


def test_outside_hours_and_availability_are_refused_with_the_hours(world: Any) -> None:
    open_clinic(world)
    day = next_weekday(10)
    errors = _refused(world, at(world, day, 18))
    wd = day.strftime("%A")
    assert errors["starts_at"] == [f"Outside the clinic's opening hours: on {wd} it is open 8:00 AM–5:00 PM."]
    assert errors["clinician"] == [
        f"The clinician does not see patients then: on {wd} they work 9:00 AM–12:00 PM, 1:00 PM–4:00 PM."
    ]
    AvailabilityException.objects.create(
        clinic=world.clinic, clinician=world.user("clinician"), first_day=day, last_day=day, reason="Leave"
    )
    away = _refused(world, at(world, day, 9))
    assert away["clinician"][0].startswith("The clinician is away from") and "(Leave)" in away["clinician"][0]


def test_other_clinics_staff_and_patients_cannot_be_booked(world: Any) -> None:
    open_clinic(world)
    errors = _refused(world, at(world, next_weekday(), 9), clinician=world.user("other_clinician"))
    assert errors == {"clinician": ["Choose a clinician or nurse of your clinic."]}
    assert _refused(world, at(world, next_weekday(), 9), kind="surgery") == {
        "kind": ["Choose one of: New-patient evaluation, Injection visit, Follow-up, Phone check-in."]
    }


def test_injection_inside_the_minimum_interval_warns_then_payer_refuses(world: Any) -> None:
    open_clinic(world)
    day = next_weekday(10)
    last = day - dt.timedelta(days=60)
    sign_visit(world.patient, last)
    errors = _refused(world, at(world, day, 9), kind=AppointmentKind.INJECTION)
    assert list(errors) == ["accept_early"]
    assert errors["accept_early"][0].startswith("Only 60 days after the last injection on ")
    assert "the minimum interval is 84 days" in errors["accept_early"][0]
    assert errors["accept_early"][0].endswith("Confirm to book it anyway.")
    s = booking.settings_for(world.clinic)
    s.refuse_inside_interval = True
    s.save()
    refused = _refused(world, at(world, day, 9), kind=AppointmentKind.INJECTION, accept_early=True)
    assert refused["starts_at"][0].endswith("The patient's payer does not cover an earlier one.")
    s.refuse_inside_interval = False
    s.save()
    by_payer = _refused(
        world, at(world, day, 9), kind=AppointmentKind.INJECTION, accept_early=True, payer_forbids=True
    )
    assert "payer" in by_payer["starts_at"][0]  # the coverage room's verdict, passed in
    appt = _book(world, at(world, day, 9), kind=AppointmentKind.INJECTION, accept_early=True)
    assert appt.early_accepted and appt.ends_at - appt.starts_at == dt.timedelta(minutes=30)


def test_booking_queues_reminders_and_cancel_drops_them(world: Any) -> None:
    open_clinic(world)
    day = next_weekday(10)
    appt = _book(world, at(world, day, 9))
    msgs = list(Message.objects.filter(topic=appt.reminder_topic).order_by("next_attempt_at"))
    assert [m.idempotency_key.split(":")[2] for m in msgs] == ["remind-7d", "remind-1d"]
    assert msgs[0].next_attempt_at == appt.starts_at - dt.timedelta(days=7)
    assert msgs[0].subject == "Appointment at Clinic A" and "Follow-up" not in msgs[0].body
    assert AuditEvent.objects.filter(action="appointment.booked").count() == 1
    with pytest.raises(FieldError, match="Say why"):
        booking.cancel(appt, actor=world.user("coordinator"), reason=" ")
    booking.cancel(appt, actor=world.user("coordinator"), reason="Patient asked", expected_sequence=0)
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CANCELLED and appt.sequence == 1
    assert set(Message.objects.filter(topic=appt.reminder_topic).values_list("status", flat=True)) == {
        Status.CANCELLED
    }
    with pytest.raises(Conflict):
        booking.cancel(appt, actor=world.user("coordinator"), reason="again")


def test_reschedule_moves_the_same_appointment_and_its_reminders(world: Any) -> None:
    open_clinic(world)
    day = next_weekday(10)
    appt = _book(world, at(world, day, 9))
    other = _book(world, at(world, day, 11))
    with pytest.raises(FieldError, match="Double booking"):
        booking.reschedule(appt, actor=world.user("coordinator"), starts_at=at(world, day, 11), reason="x")
    moved = booking.reschedule(
        appt, actor=world.user("coordinator"), starts_at=at(world, day, 9, 10), reason="Later bus"
    )  # overlapping its own old time is fine
    assert moved.pk == appt.pk and moved.sequence == 1 and moved.public_id == appt.public_id
    statuses = dict(
        Message.objects.filter(topic=appt.reminder_topic).values_list("idempotency_key", "status")
    )
    assert sorted(statuses.values()) == [Status.CANCELLED, Status.CANCELLED, Status.QUEUED, Status.QUEUED]
    with pytest.raises(Conflict):
        booking.cancel(other, actor=world.user("coordinator"), reason="x", expected_sequence=3)


def test_short_notice_booking_skips_reminders_whose_time_passed(world: Any) -> None:
    open_clinic(world)
    appt = _book(world, at(world, next_weekday(3), 9))
    keys = Message.objects.filter(topic=appt.reminder_topic).values_list("idempotency_key", flat=True)
    assert [k.split(":")[2] for k in keys] == ["remind-1d"]


def test_free_slots_start_when_the_window_opens_and_skip_bookings(world: Any) -> None:
    open_clinic(world)
    day = next_weekday(14)
    sign_visit(world.patient, day - dt.timedelta(days=84))
    search = booking.free_slots(world.patient, kind=AppointmentKind.INJECTION, limit=3)
    assert search.window is not None and search.window.opens == day
    assert [s.start for s in search.slots] == [
        at(world, day, 9),
        at(world, day, 9, 15),
        at(world, day, 9, 30),
    ]
    _book(world, at(world, day, 9, 15))
    search = booking.free_slots(world.patient, kind=AppointmentKind.INJECTION, limit=2)
    assert [s.start for s in search.slots] == [at(world, day, 9, 45), at(world, day, 10)]  # 15-minute grid


def test_no_show_only_after_the_start(world: Any) -> None:
    open_clinic(world)
    appt = _book(world, at(world, next_weekday(3), 9))
    with pytest.raises(FieldError, match="has not started yet"):
        booking.mark_no_show(appt, actor=world.user("coordinator"))
    booking.mark_no_show(appt, actor=world.user("coordinator"), now=appt.starts_at + dt.timedelta(minutes=20))
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.NO_SHOW

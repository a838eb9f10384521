"""Weekly hours and days away: a clinician keeps their own, an admin anyone's in the clinic, a coordinator
none; outside opening hours, overlapping, past or overlapping days away are refused with the reason and
nothing stored; a change that would strand booked appointments names them and needs confirming, and they
stay listed until moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.errors import FieldError
from toxinclinic.scheduling import availability as av
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import AppointmentKind, Availability, AvailabilityException
from toxinclinic.scheduling.tests.helpers import T, at, next_weekday, open_clinic

pytestmark = pytest.mark.django_db
URL = "/scheduling/availability/"


def _counts() -> tuple[int, int]:
    return Availability.objects.count(), AvailabilityException.objects.count()


def _post(c: Any, who: Any, **data: Any) -> Any:
    return c.post(URL, {"clinician": who.public_id, **data})


def test_a_clinician_adds_and_changes_their_own_hours(world: Any, client_as: Any) -> None:
    doc = open_clinic(world)  # clinic open weekdays 8-17; doc works 9-12 and 13-16
    c = client_as("clinician")
    page = c.get(URL).content.decode()
    assert "My availability" in page and doc.display_name in page
    assert world.user("injector").display_name not in page  # only their own card
    r = _post(c, doc, action="add_hours", weekday=0, starts="16:00", ends="17:00")  # touches 13-16
    assert r.status_code == 302, r.content.decode()
    row = Availability.objects.get(clinician=doc, weekday=0, starts=T(16))
    assert AuditEvent.objects.filter(action="availability.added", actor=doc).exists()
    r = _post(c, doc, action="change_hours", row=row.pk, weekday=0, starts="16:00", ends="16:45")
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.ends == T(16, 45)
    assert "Changed to Monday 4:00 PM–4:45 PM." in c.get(URL).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"weekday": 1, "starts": "07:00", "ends": "09:00"},
            "starts",
            "Outside the clinic's opening hours: on Tuesday it is open 8:00 AM–5:00 PM. "
            "Choose times inside them.",
        ),
        (
            {"weekday": 5, "starts": "09:00", "ends": "12:00"},
            "weekday",
            "The clinic is closed on Saturdays (its opening hours): choose a day it is open.",
        ),
        (
            {"weekday": 2, "starts": "11:00", "ends": "14:00"},
            "starts",
            "Overlaps Clinician Tester's hours on Wednesday, 9:00 AM–12:00 PM: change that period "
            "instead, or choose times that do not overlap.",
        ),
        (
            {"weekday": 2, "starts": "14:00", "ends": "13:00"},
            "ends",
            "The end must be after the start on the same day.",
        ),
        ({"weekday": 9, "starts": "09:00", "ends": "10:00"}, "weekday", "Choose a day of the week."),
        ({"weekday": 2, "starts": "nine", "ends": "10:00"}, "starts", "Give a start time such as 09:00."),
    ],
)
def test_bad_hours_are_refused_with_the_reason_and_nothing_stored(
    world: Any, client_as: Any, data: dict[str, Any], field: str, message: str
) -> None:
    doc = open_clinic(world)
    before = _counts()
    with pytest.raises(FieldError) as exc:
        av.add_hours(
            doc, actor=doc, weekday=data["weekday"], starts=_t(data["starts"]), ends=_t(data["ends"])
        )
    assert exc.value.errors[field] == [message]
    r = _post(client_as("clinician"), doc, action="add_hours", **data)
    assert r.status_code == 400 and "Not saved." in r.content.decode()
    assert message.replace("'", "&#x27;") in r.content.decode()
    assert _counts() == before


def _t(raw: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        return None


def test_changing_a_period_ignores_itself_but_not_the_others(world: Any) -> None:
    doc = open_clinic(world)
    morning = Availability.objects.get(clinician=doc, weekday=3, starts=T(9))
    av.change_hours(morning, actor=doc, weekday=3, starts=T(8), ends=T(12))  # overlaps only itself
    with pytest.raises(FieldError) as exc:
        av.change_hours(morning, actor=doc, weekday=3, starts=T(8), ends=T(14))
    assert "Overlaps Clinician Tester's hours on Thursday, 1:00 PM–4:00 PM" in exc.value.errors["starts"][0]
    morning.refresh_from_db()
    assert (morning.starts, morning.ends) == (T(8), T(12))


def test_who_may_edit_whose_hours(world: Any, client_as: Any) -> None:
    doc = open_clinic(world)
    nurse = world.user("nurse")
    before = _counts()
    for role in ("injector", "nurse", "other_clinician"):  # another clinician's hours: not theirs
        r = _post(client_as(role), doc, action="add_hours", weekday=0, starts="16:00", ends="17:00")
        assert r.status_code == 400 and "Choose yourself" in r.content.decode()
    assert client_as("coordinator").get(URL).status_code == 403
    assert client_as("patient").get(URL).status_code == 403
    assert _counts() == before
    admin = client_as("admin")
    page = admin.get(URL).content.decode()
    assert doc.display_name in page and nurse.display_name in page
    assert world.user("other_clinician").display_name not in page
    r = _post(admin, nurse, action="add_hours", weekday=4, starts="08:00", ends="12:00")
    assert r.status_code == 302 and Availability.objects.filter(clinician=nurse).count() == 1
    away = _post(admin, doc, action="add_away", first_day=next_weekday(30).isoformat(),
                 last_day=next_weekday(30).isoformat(), reason="Training")  # fmt: skip
    assert away.status_code == 302
    row = AvailabilityException.objects.get(clinician=doc)
    assert _post(client_as("injector"), doc, action="remove_away", row=row.pk).status_code == 400
    assert _post(client_as("clinician"), doc, action="remove_away", row=row.pk).status_code == 302
    assert not AvailabilityException.objects.exists()


def test_bad_days_away_are_refused(world: Any, client_as: Any) -> None:
    doc = open_clinic(world)
    today = timezone.localdate()
    AvailabilityException.objects.create(
        clinic=world.clinic, clinician=doc, first_day=today + dt.timedelta(days=20),
        last_day=today + dt.timedelta(days=24), reason="Holiday",
    )  # fmt: skip
    cases = [
        (today - dt.timedelta(days=5), today - dt.timedelta(days=1), "",
         "last_day", "Those days have passed: record days away from today on."),
        (today + dt.timedelta(days=3), today + dt.timedelta(days=1), "",
         "last_day", "The last day must be on or after the first day."),
        (today, today + dt.timedelta(days=400), "",
         "last_day", "Keep one period of days away to 366 days at most; add another for longer leave."),
        (today + dt.timedelta(days=2), today + dt.timedelta(days=2), "x" * 121,
         "reason", "Keep the reason to 120 characters."),
    ]  # fmt: skip
    for first, last, reason, field, message in cases:
        with pytest.raises(FieldError) as exc:
            av.add_away(doc, actor=doc, first_day=first, last_day=last, reason=reason)
        assert exc.value.errors[field] == [message]
    with pytest.raises(FieldError) as exc:
        av.add_away(
            doc, actor=doc, first_day=today + dt.timedelta(days=22), last_day=today + dt.timedelta(days=30)
        )
    assert exc.value.errors["first_day"][0].startswith("Overlaps days away already recorded: ")
    assert "(Holiday). Remove that one first, or choose other days." in exc.value.errors["first_day"][0]
    r = _post(client_as("clinician"), doc, action="add_away", first_day="soon", last_day="")
    assert r.status_code == 400
    body = r.content.decode()
    assert "Give a date such as 2026-07-01." in body and "Give the last day away" in body
    assert AvailabilityException.objects.count() == 1


def test_days_away_over_booked_appointments_name_them_and_need_confirming(world: Any, client_as: Any) -> None:
    doc = open_clinic(world)
    day = next_weekday(10)
    appt = booking.book(
        world.patient, actor=world.user("coordinator"), clinician=doc, kind=AppointmentKind.FOLLOW_UP,
        starts_at=at(world, day, 9),
    )  # fmt: skip
    c = client_as("clinician")
    data = {
        "action": "add_away",
        "first_day": day.isoformat(),
        "last_day": day.isoformat(),
        "reason": "Leave",
    }
    r = _post(c, doc, **data)
    body = r.content.decode()
    assert (
        r.status_code == 400 and "Not saved yet: booked appointments would be left outside the hours." in body
    )
    assert "Ada Lovelace, Follow-up, " in body and f"/scheduling/appointments/{appt.public_id}/" in body
    assert not AvailabilityException.objects.exists()
    with pytest.raises(av.WouldStrand) as exc:
        av.add_away(doc, actor=doc, first_day=day, last_day=day)
    assert exc.value.appointments == [appt]
    assert exc.value.errors["confirm"][0].startswith("These days away would leave appointment still booked")
    r = _post(c, doc, **data, confirm="1")
    assert (
        r.status_code == 302 and AvailabilityException.objects.filter(clinician=doc, first_day=day).exists()
    )
    page = c.get(URL).content.decode()
    assert "1 booked appointment now outside the hours" in page  # the confirmation
    assert "Booked outside these hours or on days away" in page and "Ada Lovelace" in page  # kept listed
    booking.cancel(appt, actor=doc, reason="Clinician on leave")
    assert "Booked outside these hours or on days away" not in c.get(URL).content.decode()


def test_removing_or_shortening_hours_under_a_booking_warns_too(world: Any) -> None:
    doc = open_clinic(world)
    day = next_weekday(10)
    appt = booking.book(
        world.patient, actor=doc, clinician=doc, kind=AppointmentKind.FOLLOW_UP, starts_at=at(world, day, 14)
    )
    afternoon = Availability.objects.get(clinician=doc, weekday=day.weekday(), starts=T(13))
    with pytest.raises(av.WouldStrand) as exc:
        av.change_hours(afternoon, actor=doc, weekday=day.weekday(), starts=T(13), ends=T(14))
    assert exc.value.appointments == [appt]
    with pytest.raises(av.WouldStrand):
        av.remove_hours(afternoon, actor=doc)
    assert Availability.objects.filter(pk=afternoon.pk, ends=T(16)).exists()
    other = Availability.objects.get(clinician=doc, weekday=(day.weekday() + 1) % 5, starts=T(13))
    assert av.remove_hours(other, actor=doc) == []  # another day: nothing booked there
    _, stranded = av.change_hours(
        afternoon, actor=doc, weekday=day.weekday(), starts=T(13), ends=T(14), confirm=True
    )
    assert stranded == [appt] and av.uncovered(doc) == [appt]
    # Already outside before: the next change is not blamed for it.
    morning = Availability.objects.get(clinician=doc, weekday=day.weekday(), starts=T(9))
    _, again = av.change_hours(morning, actor=doc, weekday=day.weekday(), starts=T(9), ends=T(11))
    assert again == []

"""Screens: book from the free-slot list in one POST, refusals shown (400, nothing stored), cancel with a
reason; iCalendar feeds parse with icalendar and vobject, keep UIDs, carry no clinical detail, and a
revoked token gets 404; the patient's home shows the next appointment with "Add to calendar"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import icalendar
import pytest
import vobject

from toxinclinic.accounts.models import Location
from toxinclinic.scheduling import booking, ical
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, CalendarToken
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic
from toxinclinic.testing import sign_visit

pytestmark = pytest.mark.django_db


def test_slot_list_books_with_one_post(world: Any, client_as: Any) -> None:
    open_clinic(world)
    day = next_weekday(14)
    sign_visit(world.patient, day - dt.timedelta(days=84))
    c = client_as("coordinator")
    url = f"/scheduling/patients/{world.patient.public_id}/slots/"
    page = c.get(url).content.decode()
    assert "Next free times" in page and "Re-treatment is due from" in page
    first = re.search(r'name="starts_at" value="([^"]+)"', page)
    who = re.search(r'name="clinician" value="([^"]+)"', page)
    assert first and who and dt.datetime.fromisoformat(first.group(1)) == at(world, day, 9)
    r = c.post(url, {"kind": "injection", "clinician": who.group(1), "starts_at": first.group(1)})
    appt = Appointment.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/scheduling/appointments/{appt.public_id}/"
    assert appt.kind == AppointmentKind.INJECTION and appt.starts_at == at(world, day, 9)
    again = c.post(url, {"kind": "injection", "clinician": who.group(1), "starts_at": first.group(1)})
    assert again.status_code == 400 and "Double booking" in again.content.decode()
    assert Appointment.objects.count() == 1
    assert client_as("other_clinician").get(url).status_code == 404
    assert client_as("patient").get(url).status_code == 403


def test_outside_hours_refused_on_the_form(world: Any, client_as: Any) -> None:
    open_clinic(world)
    c = client_as("coordinator")
    url = f"/scheduling/patients/{world.patient.public_id}/slots/"
    day = next_weekday(10)
    r = c.post(
        url,
        {
            "kind": "follow_up",
            "clinician": world.user("clinician").public_id,
            "starts_at": f"{day.isoformat()}T19:00",
        },
    )
    assert r.status_code == 400 and "Outside the clinic&#x27;s opening hours" in r.content.decode()
    assert not Appointment.objects.exists()


def test_cancel_and_schedule_screens(world: Any, client_as: Any) -> None:
    open_clinic(world)
    day = next_weekday(10)
    appt = booking.book(
        world.patient,
        actor=world.user("coordinator"),
        clinician=world.user("clinician"),
        kind=AppointmentKind.FOLLOW_UP,
        starts_at=at(world, day, 9),
    )
    c = client_as("nurse")
    sched = c.get(f"/scheduling/schedule/?day={day.isoformat()}").content.decode()
    assert "Ada Lovelace" in sched and "Follow-up" in sched and "9:00 AM" in sched
    url = f"/scheduling/appointments/{appt.public_id}/"
    assert c.post(url, {"action": "cancel", "sequence": 0, "reason": ""}).status_code == 400
    assert c.post(url, {"action": "cancel", "sequence": 0, "reason": "Unwell"}).status_code == 302
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CANCELLED and appt.status_reason == "Unwell"
    assert c.post(url, {"action": "cancel", "sequence": 0, "reason": "again"}).status_code == 409
    assert client_as("other_clinician").get(url).status_code == 404


def _parse_both(body: bytes) -> tuple[list[Any], list[Any]]:
    a = [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    b = list(vobject.readOne(body.decode()).vevent_list) if b"VEVENT" in body else []
    return a, b


def test_feed_parses_keeps_uid_and_revoked_token_is_404(world: Any, client_as: Any) -> None:
    open_clinic(world)
    loc = Location.objects.create(clinic=world.clinic, name="Main building")
    day = next_weekday(10)
    appt = booking.book(
        world.patient,
        actor=world.user("coordinator"),
        clinician=world.user("clinician"),
        kind=AppointmentKind.INJECTION,
        starts_at=at(world, day, 9),
        location=loc,
    )
    c = client_as("clinician")
    page = c.post(
        "/scheduling/feeds/", {"action": "create_clinician", "clinician": world.user("clinician").public_id}
    ).content.decode()
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)  # type: ignore[union-attr]
    path = url.split("testserver", 1)[1]
    anon = client_as(None)
    r = anon.get(path)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    events, vevents = _parse_both(r.content)
    assert len(events) == len(vevents) == 1
    ev = events[0]
    assert str(ev["UID"]) == f"{appt.public_id}@toxinclinic.scheduling" == vevents[0].uid.value
    assert str(ev["SUMMARY"]) == "Appointment at Clinic A" and str(ev["LOCATION"]) == "Main building"
    assert ev.decoded("DTSTART") == at(world, day, 9) and vevents[0].dtstart.value == at(world, day, 9)
    text = r.content.decode()
    assert "Lovelace" not in text and "Injection" not in text and "A001" not in text
    booking.reschedule(appt, actor=world.user("coordinator"), starts_at=at(world, day, 10), reason="moved")
    ev2 = _parse_both(anon.get(path).content)[0][0]
    assert str(ev2["UID"]) == str(ev["UID"]) and int(ev2["SEQUENCE"]) == 1
    assert ev2.decoded("DTSTART") == at(world, day, 10)
    booking.cancel(appt, actor=world.user("coordinator"), reason="unwell")
    ev3 = _parse_both(anon.get(path).content)[0][0]
    assert str(ev3["STATUS"]) == "CANCELLED" and int(ev3["SEQUENCE"]) == 2
    token = CalendarToken.objects.get()
    assert token.digest not in page and token.prefix in url  # only the digest is stored
    assert (
        client_as("injector").post("/scheduling/feeds/", {"action": "revoke", "token": token.pk}).status_code
        == 404
    )
    c = client_as("clinician")
    assert c.post("/scheduling/feeds/", {"action": "revoke", "token": token.pk}).status_code == 302
    assert client_as(None).get(path).status_code == 404
    assert client_as(None).get("/scheduling/feeds/not-a-token.ics").status_code == 404


def test_patient_feed_and_home_panel_with_add_to_calendar(world: Any, client_as: Any) -> None:
    open_clinic(world)
    appt = booking.book(
        world.patient,
        actor=world.user("coordinator"),
        clinician=world.user("clinician"),
        kind=AppointmentKind.FOLLOW_UP,
        starts_at=at(world, next_weekday(5), 13),
    )
    nurse = client_as("nurse")
    assert (
        "Create a feed for this patient"
        in nurse.get(f"/scheduling/feeds/?patient={world.patient.public_id}").content.decode()
    )
    made = nurse.post("/scheduling/feeds/", {"action": "create_patient", "patient": world.patient.public_id})
    assert (
        "Copy it now" in made.content.decode()
        and CalendarToken.objects.filter(patient=world.patient).exists()
    )
    assert (
        client_as("other_clinician")
        .post("/scheduling/feeds/", {"action": "create_patient", "patient": world.patient.public_id})
        .status_code
        == 404
    )
    _, raw = ical.create_token(actor=world.user("nurse"), patient=world.patient)
    events, vevents = _parse_both(client_as(None).get(f"/scheduling/feeds/{raw}.ics").content)
    assert [str(e["UID"]) for e in events] == [f"{appt.public_id}@toxinclinic.scheduling"] and len(
        vevents
    ) == 1
    home = client_as("patient").get("/home/").content.decode()
    assert "My next appointment" in home and "Add to calendar" in home
    ics = client_as("patient").get(f"/scheduling/my/appointments/{appt.public_id}.ics")
    assert ics.status_code == 200 and _parse_both(ics.content)[0][0]["UID"] == events[0]["UID"]
    assert client_as("patient2").get(f"/scheduling/my/appointments/{appt.public_id}.ics").status_code == 404
    assert "Nothing booked" in client_as("patient2").get("/home/").content.decode()

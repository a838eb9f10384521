"""A patient's contact choices and the clinic's quiet hours, as ``queue_for_patient`` applies them, and the
"How we contact you" screen and API that change them."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from toxinclinic.accounts.models import ApiToken
from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.errors import FieldError
from toxinclinic.messaging import hours, preferences, services
from toxinclinic.messaging.models import ClinicMessagingSettings, ContactPreference, Message

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def chans(settings: Any, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(tmp_path)},
        },
    }


def _remind(patient: Any, kind: str = "diary_nudge", key: str = "k:1", **kw: Any) -> Message | None:
    return services.queue_for_patient(patient, kind=kind, key=key, subject="s", body="b", **kw)


def test_default_is_email_to_the_patients_own_address(world: Any, chans: None) -> None:
    msg = _remind(world.patient)
    assert msg is not None and msg.channel == "email" and msg.address == world.patient.email
    assert msg.recipient_patient == world.patient and msg.deferred_from is None


def test_text_message_goes_to_the_patients_own_phone_never_another_patients(world: Any, chans: None) -> None:
    world.patient.phone, world.patient2.phone = "+1 212 555 0101", "+1 212 555 0199"
    world.patient.save()
    world.patient2.save()
    preferences.save_choices(
        world.patient, channel="sms", reminders_on=["diary"], actor=world.user("patient")
    )
    msg = _remind(world.patient)
    assert msg is not None and msg.channel == "sms" and msg.address == "+1 212 555 0101"
    other = _remind(world.patient2, key="k:2")
    assert other is not None and other.channel == "email" and other.address == world.patient2.email


def test_opted_out_kind_returns_none_and_stores_nothing(world: Any, chans: None) -> None:
    preferences.save_choices(
        world.patient, channel="email", reminders_on=["appointment"], actor=world.user("patient")
    )
    assert _remind(world.patient, kind="diary_nudge") is None
    assert _remind(world.patient, kind="questionnaire_due", key="k:q") is None
    assert _remind(world.patient, kind="check_in_reminder", key="k:c") is None
    assert not Message.objects.exists()
    # Kept on: appointment reminders of the scheduling room (any "appointment…" kind).
    assert _remind(world.patient, kind="appointment_reminder", key="k:a") is not None
    # Urgent messages to staff do not pass through a patient's choices at all.
    staff = services.queue_message(
        clinic_id=world.clinic.pk, kind="urgent_report", key="u:1", channel="email",
        recipient_user=world.user("nurse"), subject="Urgent", body="Open the triage queue.",
    )  # fmt: skip
    assert staff.pk is not None


def test_no_address_on_the_chosen_channel_sends_nothing(world: Any, chans: None) -> None:
    ContactPreference.objects.create(patient=world.patient, channel="sms")  # chose text, phone removed since
    assert _remind(world.patient) is None and not Message.objects.exists()


def test_choosing_text_without_a_phone_number_is_refused_and_nothing_saved(world: Any, chans: None) -> None:
    with pytest.raises(FieldError) as err:
        preferences.save_choices(world.patient, channel="sms", reminders_on=[], actor=world.user("patient"))
    assert "mobile phone number" in err.value.errors["channel"][0]
    with pytest.raises(FieldError) as err:
        preferences.save_choices(
            world.patient, channel="pigeon", reminders_on=[], actor=world.user("patient")
        )
    assert "e-mail or text" in err.value.errors["channel"][0]
    assert not ContactPreference.objects.exists()


def test_a_change_is_audited_with_before_and_after(world: Any, chans: None) -> None:
    preferences.save_choices(world.patient, channel="email", reminders_on=[], actor=world.user("patient"))
    preferences.save_choices(
        world.patient, channel="email", reminders_on=["diary"], actor=world.user("patient")
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="contact_preference")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["contact_preference.created", "contact_preference.updated"]
    last = AuditEvent.objects.filter(action="contact_preference.updated").get()
    assert "opted_out" in last.changes


# ----------------------------------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (dt.datetime(2026, 3, 3, 22, 30), dt.datetime(2026, 3, 4, 8, 0)),  # evening: next morning
        (dt.datetime(2026, 3, 4, 6, 59), dt.datetime(2026, 3, 4, 8, 0)),  # early morning: this morning
        (dt.datetime(2026, 3, 4, 8, 0), dt.datetime(2026, 3, 4, 8, 0)),  # the end itself is not quiet
        (dt.datetime(2026, 3, 4, 12, 0), dt.datetime(2026, 3, 4, 12, 0)),  # daytime: unchanged
        (dt.datetime(2026, 3, 4, 20, 59), dt.datetime(2026, 3, 4, 20, 59)),
    ],
)
def test_quiet_hours_across_midnight(local: dt.datetime, expected: dt.datetime) -> None:
    got = hours.quiet_end(local.replace(tzinfo=NY), dt.time(21), dt.time(8), NY)
    assert got.astimezone(NY).replace(tzinfo=None) == expected


def test_quiet_hours_within_one_day_and_none() -> None:
    noon = dt.datetime(2026, 3, 4, 12, 30, tzinfo=NY)
    assert hours.quiet_end(noon, dt.time(12), dt.time(14), NY) == dt.datetime(2026, 3, 4, 14, tzinfo=NY)
    assert hours.quiet_end(noon, None, None, NY) == noon


def test_quiet_hours_end_on_a_spring_forward_night_is_a_real_moment() -> None:
    # 8 March 2026: New York clocks jump 02:00 -> 03:00; quiet hours ending 02:30 end at 03:30 EDT.
    late = dt.datetime(2026, 3, 7, 23, 0, tzinfo=NY)
    got = hours.quiet_end(late, dt.time(21), dt.time(2, 30), NY)
    assert got.astimezone(dt.UTC) == dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)


def test_a_reminder_due_in_quiet_hours_is_moved_to_their_end_and_says_so(world: Any, chans: None) -> None:
    ClinicMessagingSettings.objects.create(
        clinic=world.clinic, quiet_from=dt.time(21), quiet_until=dt.time(8)
    )
    tz = hours.clinic_tz(world.clinic)
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    due = dt.datetime.combine(tomorrow, dt.time(22, 15), tzinfo=tz)
    msg = _remind(world.patient, send_after=due)
    assert msg is not None and msg.deferred_from == due
    assert msg.next_attempt_at == dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(8), tzinfo=tz)
    daytime = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=tz)
    msg2 = _remind(world.patient, key="k:day", send_after=daytime)
    assert msg2 is not None and msg2.next_attempt_at == daytime and msg2.deferred_from is None


# ----------------------------------------------------------------------------------------- screens, API


def test_the_patient_sees_and_changes_their_choice(client_as: Any, world: Any, chans: None) -> None:
    world.patient.phone = "+1 212 555 0101"
    world.patient.save()
    client = client_as("patient")
    r = client.get("/messaging/contact/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "How we contact you" in html and world.patient.email in html
    assert "Reminders to fill in your headache diary" in html
    r = client.post("/messaging/contact/", {"channel": "sms", "reminders": ["appointment", "check_in"]})
    assert r.status_code == 302
    pref = ContactPreference.objects.get(patient=world.patient)
    assert pref.channel == "sms" and set(pref.opted_out) == {"window_opens", "diary", "questionnaire"}


def test_the_screen_refuses_a_channel_without_an_address_and_says_why(
    client_as: Any, world: Any, chans: None
) -> None:
    r = client_as("patient").post("/messaging/contact/", {"channel": "sms", "reminders": ["diary"]})
    assert r.status_code == 400
    assert "Nothing was saved" in r.content.decode() and "mobile phone number" in r.content.decode()
    assert not ContactPreference.objects.exists()


def test_staff_cannot_open_the_patients_screen(client_as: Any, world: Any) -> None:
    assert client_as("nurse").get("/messaging/contact/").status_code == 403
    assert client_as(None).get("/messaging/contact/").status_code == 302


def test_staff_see_the_choice_on_the_message(client_as: Any, world: Any, chans: None) -> None:
    preferences.save_choices(
        world.patient, channel="email", reminders_on=["appointment"], actor=world.user("patient")
    )
    msg = _remind(world.patient, kind="appointment_reminder", key="appt:x")
    assert msg is not None
    r = client_as("coordinator").get(f"/messaging/outbox/{msg.public_id}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "wants to be contacted" in html and "Reminders to fill in your headache diary" in html


def test_api_with_the_patients_token(world: Any, chans: None) -> None:
    _, raw = ApiToken.issue(world.user("patient"), "phone app")
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.get("/api/v1/messaging/contact-preferences", **auth)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["channel"] == "email" and body["address"] == world.patient.email
    assert all(x["on"] for x in body["reminders"])
    r = client.put(
        "/api/v1/messaging/contact-preferences",
        data=json.dumps({"channel": "email", "reminders_on": ["check_in"]}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200, r.content
    assert [x["kind"] for x in r.json()["reminders"] if x["on"]] == ["check_in"]
    r = client.put(
        "/api/v1/messaging/contact-preferences",
        data=json.dumps({"channel": "sms", "reminders_on": []}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and "phone" in r.content.decode()


def test_api_refuses_staff(world: Any) -> None:
    _, raw = ApiToken.issue(world.user("nurse"), "script")
    r = Client().get("/api/v1/messaging/contact-preferences", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 403

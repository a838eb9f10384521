"""The clinic admin sets the on-call list and opening hours for their own clinic only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.messaging.models import OnCallContact, OpeningHours

pytestmark = pytest.mark.django_db


def test_clinic_admin_names_own_staff_only_and_sees_only_own_contacts(client_as: Any, world: Any) -> None:
    OnCallContact.objects.create(clinic=world.other_clinic, user=world.user("other_clinician"), position=1)
    client = client_as("admin")
    form = client.get("/admin/messaging/oncallcontact/add/").content.decode()
    assert "Nurse Tester" in form and "Other_Clinician" not in form and "Patient Tester" not in form
    r = client.post(
        "/admin/messaging/oncallcontact/add/",
        {"clinic": world.clinic.pk, "user": world.user("nurse").pk, "position": 1, "channel": "sms",
         "address": "", "active": "on"},
    )  # fmt: skip
    assert r.status_code == 200 and "Text messages need a phone number." in r.content.decode()
    r = client.post(
        "/admin/messaging/oncallcontact/add/",
        {"clinic": world.clinic.pk, "user": world.user("nurse").pk, "position": 1, "channel": "sms",
         "address": "+1 212 555 0142", "active": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    listing = client.get("/admin/messaging/oncallcontact/").content.decode()
    assert "Nurse Tester" in listing and "Other_Clinician" not in listing
    assert OnCallContact.objects.filter(clinic=world.clinic).count() == 1


def test_opening_hours_must_close_after_they_open(client_as: Any, world: Any) -> None:
    client = client_as("admin")
    r = client.post(
        "/admin/messaging/openinghours/add/",
        {"clinic": world.clinic.pk, "weekday": 0, "opens": "17:00", "closes": "08:00"},
    )
    assert "Closing time must be after opening time" in r.content.decode()
    assert not OpeningHours.objects.exists()
    client.post(
        "/admin/messaging/openinghours/add/",
        {"clinic": world.clinic.pk, "weekday": 0, "opens": "08:00", "closes": "17:00"},
    )
    assert OpeningHours.objects.get().opens == dt.time(8)


def test_staff_other_than_admins_cannot_change_the_on_call_list(client_as: Any, world: Any) -> None:
    assert client_as("nurse").get("/admin/messaging/oncallcontact/").status_code in (302, 403)


def test_demo_step_names_an_on_call_list_and_weekday_hours_once(world: Any) -> None:
    from types import SimpleNamespace

    from toxinclinic.messaging import demo

    for who in ("nurse", "injector"):  # demo staff have e-mail addresses
        world.user(who).email = f"{who}@example.org"
        world.user(who).save()
    ctx = SimpleNamespace(
        clinic=world.clinic,
        staff={
            "nurse": world.user("nurse"),
            "clinician": world.user("clinician"),
            "injector": world.user("injector"),
        },
    )
    demo.seed(ctx)
    demo.seed(ctx)
    contacts = list(OnCallContact.objects.filter(clinic=world.clinic).order_by("position"))
    assert [(c.user.username, c.channel) for c in contacts] == [
        ("nurse", "email"), ("clinician", "sms"), ("injector", "email"),
    ]  # fmt: skip
    for c in contacts:
        c.full_clean()
    assert sorted(OpeningHours.objects.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]

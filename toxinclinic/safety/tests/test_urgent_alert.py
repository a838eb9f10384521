"""An urgent report reaches a person: the first on-call contact is messaged at once, the next one when
nobody acknowledges within the clinic's limit, acknowledging stops it, and the patient reads what happened."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.accounts.locale import ClinicLocale, format_date, format_time
from toxinclinic.messaging import escalation, services
from toxinclinic.messaging.models import (
    ClinicMessagingSettings,
    Escalation,
    EscalationStatus,
    Message,
    OnCallContact,
    OpeningHours,
    Status,
)
from toxinclinic.safety.models import TriageItem
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_call(world: Any, settings: Any, tmp_path: Path) -> list[OnCallContact]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(tmp_path)},
        },
    }
    nurse, clinician = world.user("nurse"), world.user("clinician")
    nurse.email = "nurse@example.org"
    nurse.save()
    return [
        OnCallContact.objects.create(clinic=world.clinic, user=nurse, position=1, channel="email"),
        OnCallContact.objects.create(
            clinic=world.clinic, user=clinician, position=2, channel="sms", address="+1 555 0102"
        ),
    ]


def _report(client_as: Any, world: Any) -> tuple[Any, str]:
    sign_visit(world.patient, days_ago(5))
    client = client_as("patient")
    r = client.post("/safety/report/", {"symptoms": ["trouble_breathing"]})
    assert r.status_code == 302
    return client, r.url


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_urgent_report_messages_the_first_contact_and_says_so(
    client_as: Any, world: Any, on_call: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client, url = _report(client_as, world)
    item = TriageItem.objects.get()
    [msg] = Message.objects.all()
    assert (msg.recipient_user, msg.channel, msg.address) == (
        world.user("nurse"),
        "email",
        "nurse@example.org",
    )
    assert msg.topic == f"triage:{item.public_id}" and msg.kind == "urgent_report"
    assert f"/safety/triage/{item.public_id}/" in msg.body
    for private in ("Lovelace", "Ada", "breath", "A001"):
        assert private not in msg.body and private not in msg.subject
    page = _text(client.get(url).content.decode())
    emergency = f"Call {ClinicLocale.of(world.clinic).emergency_number}"
    assert emergency == "Call 911"  # a US clinic by default
    assert page.index(emergency) < page.index("What happened to your report")  # the emergency number first
    assert f"injections on {format_date(days_ago(5), world.clinic, 'long')}." in page  # "November 26, 2026"
    assert "Being sent to Nurse Tester (nurse) by e-mail" in page
    assert "alerted" not in page and "will call" not in page

    services.deliver(msg.pk)
    msg.refresh_from_db()
    page = _text(client.get(url).content.decode())
    assert f"Sent to Nurse Tester (nurse) by e-mail at {format_time(msg.sent_at, world.clinic)}" in page
    esc = Escalation.objects.get()
    assert f"If nobody does by {format_time(esc.next_step_at, world.clinic)}" in page


def test_nobody_acknowledges_so_the_next_contact_is_messaged_then_the_list_runs_out(
    client_as: Any, world: Any, on_call: Any
) -> None:
    ClinicMessagingSettings.objects.create(clinic=world.clinic, escalation_minutes=10)
    client, url = _report(client_as, world)
    start = Escalation.objects.get().created_at
    assert escalation.run_due(start + dt.timedelta(minutes=9)) == 0  # not yet
    assert Message.objects.count() == 1
    assert escalation.run_due(start + dt.timedelta(minutes=11)) == 1
    second = Message.objects.order_by("-id").first()
    assert second.recipient_user == world.user("clinician") and second.channel == "sms"
    assert second.address == "+1 555 0102"
    assert escalation.run_due(start + dt.timedelta(minutes=11)) == 0  # each step happens once
    assert escalation.run_due(start + dt.timedelta(minutes=22)) == 1
    esc = Escalation.objects.get()
    assert esc.status == EscalationStatus.EXHAUSTED and Message.objects.count() == 2
    page = _text(client.get(url).content.decode())
    assert "Everyone on the clinic's on-call list has been messaged" in page
    # The staff see every step on the triage item.
    staff = client_as("clinician")
    item_page = _text(staff.get(f"/safety/triage/{TriageItem.objects.get().public_id}/").content.decode())
    assert "On-call messages" in item_page
    assert (
        "Nurse Tester (nurse) by e-mail" in item_page
        and "Clinician Tester (clinician) by text message" in item_page
    )
    assert "Everyone on the on-call list was messaged; nobody has acknowledged." in item_page


def test_acknowledging_on_the_triage_item_stops_the_escalation(
    client_as: Any, world: Any, on_call: Any
) -> None:
    _, url = _report(client_as, world)
    msg = Message.objects.get()
    services.deliver(msg.pk)
    item = TriageItem.objects.get()
    staff = client_as("clinician")
    r = staff.post(f"/safety/triage/{item.public_id}/acknowledge/", {"version": item.version})
    assert r.status_code == 302
    esc = Escalation.objects.get()
    assert esc.status == EscalationStatus.ACKNOWLEDGED and esc.acknowledged_by == world.user("clinician")
    assert escalation.run_due(timezone.now() + dt.timedelta(hours=2)) == 0
    assert Message.objects.count() == 1
    msg.refresh_from_db()
    assert msg.status == Status.ACKNOWLEDGED and msg.acknowledged_by == world.user("clinician")
    page = _text(staff.get(f"/safety/triage/{item.public_id}/").content.decode())
    assert "Acknowledged by Clinician Tester at" in page and "nobody else will be messaged" in page
    patient_page = _text(client_as("patient").get(url).content.decode())
    assert "Clinician Tester acknowledged your report at" in patient_page


def test_a_message_not_yet_sent_when_acknowledged_is_cancelled(
    client_as: Any, world: Any, on_call: Any
) -> None:
    _report(client_as, world)
    item = TriageItem.objects.get()
    client_as("nurse").post(f"/safety/triage/{item.public_id}/acknowledge/", {"version": item.version})
    msg = Message.objects.get()
    assert msg.status == Status.CANCELLED
    assert services.deliver(msg.pk).startswith("not due")


def test_outside_opening_hours_nobody_is_messaged_until_the_clinic_opens(
    client_as: Any, world: Any, on_call: Any
) -> None:
    today = timezone.localdate()
    open_day = today + dt.timedelta(days=2)
    OpeningHours.objects.create(
        clinic=world.clinic, weekday=open_day.weekday(), opens=dt.time(9), closes=dt.time(17)
    )
    client, url = _report(client_as, world)
    assert Message.objects.count() == 0
    esc = Escalation.objects.get()
    assert esc.status == EscalationStatus.WAITING
    opens = timezone.localtime(esc.next_step_at)
    assert (opens.date(), opens.time()) == (open_day, dt.time(9))
    page = _text(client.get(url).content.decode())
    day, at = format_date(open_day, world.clinic, "weekday"), format_time(dt.time(9), world.clinic)
    opens_words = f"{day} at {at}"
    assert f"Nobody will see your report until it opens on {opens_words}" in page
    assert "Sent to" not in page
    assert escalation.run_due(esc.next_step_at + dt.timedelta(minutes=1)) == 1
    assert Message.objects.get().recipient_user == world.user("nurse")


def test_without_on_call_contacts_the_patient_is_told_nobody_was_messaged(
    client_as: Any, world: Any, settings: Any
) -> None:
    client, url = _report(client_as, world)
    assert Message.objects.count() == 0
    assert Escalation.objects.get().status == EscalationStatus.NO_CONTACTS
    page = _text(client.get(url).content.decode())
    assert "nobody has been messaged" in page and "Call 911" in page
    item = TriageItem.objects.get()
    staff_page = _text(client_as("nurse").get(f"/safety/triage/{item.public_id}/").content.decode())
    assert "the clinic's on-call list is empty" in staff_page


def test_routine_report_pages_nobody(client_as: Any, world: Any, on_call: Any) -> None:
    sign_visit(world.patient, days_ago(2))
    client_as("patient").post("/safety/report/", {"symptoms": ["neck_pain"]})
    assert Message.objects.count() == 0 and Escalation.objects.count() == 0


def test_no_template_claims_an_alert_that_did_not_happen() -> None:
    root = Path(__file__).resolve().parents[2]
    hits = [
        str(p.relative_to(root))
        for p in root.rglob("*.html")
        if re.search(r"has been alerted|will call you", p.read_text(encoding="utf-8"), re.I)
    ]
    assert hits == []

"""The staff outbox screen: filter by status, see the attempts, retry a failed message; scoped and audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.messaging import services
from toxinclinic.messaging.models import Message, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages(world: Any, settings: Any, tmp_path: Path) -> dict[str, Message]:
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(tmp_path)},
        }
    }
    common = {"clinic_id": world.clinic.pk, "channel": "sms", "subject": "Subject", "body": "Body"}
    sent = services.queue_message(kind="urgent_report", key="a", recipient_user=world.user("nurse"),
                                  address="+1 555 0100", **common)  # fmt: skip
    services.deliver(sent.pk)
    failed = services.queue_message(kind="check_in_reminder", key="b", recipient_patient=world.patient,
                                    address="", **common)  # fmt: skip
    services.deliver(failed.pk)
    other = services.queue_message(
        kind="urgent_report",
        key="c",
        recipient_user=world.user("other_clinician"),
        address="+1 555 0199",
        **{**common, "clinic_id": world.other_clinic.pk},
    )
    return {"sent": sent, "failed": failed, "other": other}


def test_outbox_lists_the_clinics_messages_and_filters_by_status(client_as: Any, messages: Any) -> None:
    client = client_as("coordinator")
    page = client.get("/messaging/outbox/").content.decode()
    assert "Nurse Tester (nurse)" in page and "Ada Lovelace" in page
    assert "Other_Clinician" not in page  # another clinic's message
    assert "Urgent side-effect report" in page and "Check-in reminder" in page and "text message" in page
    failed_only = client.get("/messaging/outbox/?status=failed").content.decode()
    assert "Ada Lovelace" in failed_only and "Nurse Tester (nurse)" not in failed_only
    # Showing a patient's name is a read of their data.
    assert AuditEvent.objects.filter(action="chart.viewed", data__what="outbox").exists()


def test_unknown_status_filter_is_a_specific_error(client_as: Any, messages: Any) -> None:
    r = client_as("nurse").get("/messaging/outbox/?status=lost")
    assert r.status_code == 400
    assert "lost&#x27; is not a message status" in r.content.decode()


def test_message_page_shows_attempts_and_a_failed_one_can_be_retried(client_as: Any, messages: Any) -> None:
    client = client_as("nurse")
    failed = messages["failed"]
    page = client.get(f"/messaging/outbox/{failed.public_id}/").content.decode()
    assert "No phone number to send to." in page and "Retry: send it again" in page
    assert "Failed" in page
    r = client.post(f"/messaging/outbox/{failed.public_id}/retry/")
    assert r.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED
    assert AuditEvent.objects.filter(action="message.retried").exists()
    # Retrying a message that is no longer failed is refused with a reason.
    r = client.post(f"/messaging/outbox/{failed.public_id}/retry/", follow=True)
    assert "Only a failed message can be retried" in r.content.decode()
    sent_page = client.get(f"/messaging/outbox/{messages['sent'].public_id}/").content.decode()
    assert "Retry: send it again" not in sent_page and "Delivered to the channel" in sent_page


def test_outbox_is_staff_only_and_clinic_scoped(client_as: Any, messages: Any) -> None:
    assert client_as("patient").get("/messaging/outbox/").status_code == 403
    assert client_as(None).get("/messaging/outbox/").status_code == 302
    other = messages["other"]
    assert client_as("nurse").get(f"/messaging/outbox/{other.public_id}/").status_code == 404
    assert client_as("nurse").post(f"/messaging/outbox/{other.public_id}/retry/").status_code == 404
    assert client_as("nurse").get("/messaging/outbox/not-a-uuid/").status_code == 404


def test_outbox_is_in_the_staff_nav(client_as: Any, messages: Any) -> None:
    assert 'href="/messaging/outbox/"' in client_as("admin").get("/home/").content.decode()
    assert 'href="/messaging/outbox/"' not in client_as("patient").get("/home/").content.decode()

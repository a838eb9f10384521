"""Outreach attempts and assignment: recorded with who and when, refused with a field error, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.coordinator import services
from toxinclinic.coordinator.models import OutreachAttempt, WorklistRow
from toxinclinic.core.errors import FieldError
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def test_record_an_attempt_through_the_screen(world: Any, client_as: Any) -> None:
    c = client_as("coordinator")
    url = f"/coordinator/patients/{world.patient.public_id}/outreach/"
    nxt = (today() + dt.timedelta(days=3)).isoformat()
    r = c.post(url, {"outcome": "message_left", "note": "Left voicemail", "next_contact_on": nxt})
    assert r.status_code == 302
    a = OutreachAttempt.objects.get(patient=world.patient)
    assert a.coordinator == world.user("coordinator") and a.next_contact_on.isoformat() == nxt
    row = WorklistRow.objects.get(patient=world.patient)
    assert row.outreach_outcome == "message_left" and row.next_contact_on == a.next_contact_on
    assert AuditEvent.objects.filter(action="outreach.recorded").exists()
    page = c.get(url).content.decode()
    assert "Message left" in page and "Left voicemail" in page


def test_bad_attempts_store_nothing(world: Any, client_as: Any) -> None:
    c = client_as("coordinator")
    url = f"/coordinator/patients/{world.patient.public_id}/outreach/"
    r = c.post(url, {"outcome": "teleported"})
    assert r.status_code == 400 and "Choose what happened" in r.content.decode()
    with pytest.raises(FieldError) as e:
        services.record_outreach(
            world.patient,
            actor=world.user("coordinator"),
            outcome="reached",
            next_contact_on=today() - dt.timedelta(days=1),
        )
    assert "next_contact_on" in e.value.errors
    assert not OutreachAttempt.objects.exists()


def test_assignment(world: Any, client_as: Any) -> None:
    c = client_as("coordinator")
    url = f"/coordinator/patients/{world.patient.public_id}/outreach/"
    coord = world.user("coordinator")
    assert c.post(url, {"action": "assign", "coordinator": str(coord.public_id)}).status_code == 302
    assert WorklistRow.objects.get(patient=world.patient).assigned_to == coord
    with pytest.raises(FieldError):
        services.assign(world.patient, world.user("nurse"), actor=coord)  # only coordinators
    assert client_as("nurse").post(url, {"action": "assign", "coordinator": ""}).status_code == 403
    c = client_as("coordinator")
    assert c.post(url, {"action": "assign", "coordinator": ""}).status_code == 302
    assert WorklistRow.objects.get(patient=world.patient).assigned_to is None

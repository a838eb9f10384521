"""The recall search: every patient who received lot X, with visit dates, printable; audited."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def test_lot_recipients(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    draft = prepared_visit(world, patient=world.patient2)  # not signed: not a recipient yet
    lot = v.vial_uses.first().vial.lot
    assert draft.vial_uses.first().vial.lot == lot
    c = client_as("coordinator")
    rows = c.get(f"/api/v1/lots/{lot.public_id}/recipients").json()
    assert {r["patient_name"] for r in rows} == {"Ada Lovelace"}
    assert rows[0]["visit_date"] == v.visit_date.isoformat()
    resp = c.get("/inventory/recall/?lot=c1234")
    assert resp.status_code == 302  # one match: straight to its recipients
    page = c.get(resp["Location"]).content.decode()
    assert "Lovelace, Ada" in page and "Hopper" not in page and "data-print" in page
    assert AuditEvent.objects.filter(action="lot.recall_searched").count() == 2
    assert client_as("other_clinician").get(f"/api/v1/lots/{lot.public_id}/recipients").status_code == 404

"""Reconciliation: expected vs counted, a reason for every difference, the stock follows the count."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.inventory.models import Vial, VialStatus
from toxinclinic.visits.tests.helpers import location, vials

pytestmark = pytest.mark.django_db


def test_difference_needs_a_reason_and_stock_follows_the_count(world: Any, client_as: Any) -> None:
    stock = vials(world.clinic, 4, lot_number="R1")
    lot, loc = stock[0].lot, location(world.clinic)
    c = client_as("nurse")
    body = {
        "location": str(loc.public_id),
        "counts": [{"lot": str(lot.public_id), "size_units": 100, "counted": 3}],
    }
    resp = c.post("/api/v1/reconciliations", json.dumps(body), content_type="application/json")
    assert resp.status_code == 422
    assert "Lot R1 (100 U): expected 4, counted 3; give the reason" in resp.content.decode()
    assert Vial.objects.filter(lot=lot, status=VialStatus.IN_STOCK).count() == 4
    body["counts"][0]["reason"] = "One vial broken in the fridge"
    resp = c.post("/api/v1/reconciliations", json.dumps(body), content_type="application/json")
    assert resp.status_code == 201
    line = resp.json()["lines"][0]
    assert (line["expected"], line["counted"], line["reason"]) == (4, 3, "One vial broken in the fridge")
    assert Vial.objects.filter(lot=lot, status=VialStatus.IN_STOCK).count() == 3
    assert Vial.objects.get(lot=lot, status=VialStatus.REMOVED).removed_reason.endswith(
        "broken in the fridge"
    )
    assert AuditEvent.objects.filter(action="stock.reconciled").exists()


def test_html_reconcile(world: Any, client_as: Any) -> None:
    stock = vials(world.clinic, 2, lot_number="R2")
    key = f"{stock[0].lot.public_id}_100"
    loc = location(world.clinic)
    c = client_as("clinician")
    assert "Expected" in c.get("/inventory/reconcile/").content.decode()
    resp = c.post("/inventory/reconcile/", {"location": str(loc.public_id), f"counted_{key}": "3"})
    assert resp.status_code == 400 and "give the reason" in resp.content.decode()
    resp = c.post(
        "/inventory/reconcile/",
        {
            "location": str(loc.public_id),
            f"counted_{key}": "3",
            f"reason_{key}": "Found in the second fridge",
        },
    )
    assert resp.status_code == 302
    assert Vial.objects.filter(lot=stock[0].lot, status=VialStatus.IN_STOCK).count() == 3

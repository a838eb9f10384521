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
    [listed] = c.get("/api/v1/reconciliations").json()
    assert [(x["lot_number"], x["expected"], x["counted"]) for x in listed["lines"]] == [("R1", 4, 3)]


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


def test_the_same_lot_counted_twice_is_refused_and_nothing_changes(world: Any, client_as: Any) -> None:
    stock = vials(world.clinic, 4, lot_number="R3")
    lot, loc = stock[0].lot, location(world.clinic)
    line = {"lot": str(lot.public_id), "size_units": 100, "counted": 2, "reason": "Two broken"}
    body = {"location": str(loc.public_id), "counts": [line, line]}
    resp = client_as("nurse").post(
        "/api/v1/reconciliations", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 422
    assert "Lot R3 (100 U) is counted more than once" in resp.content.decode()
    assert Vial.objects.filter(lot=lot, status=VialStatus.IN_STOCK).count() == 4
    assert not AuditEvent.objects.filter(action="stock.reconciled").exists()


def test_an_impossible_count_names_the_limit(world: Any, client_as: Any) -> None:
    stock = vials(world.clinic, 1, lot_number="R4")
    body = {
        "location": str(location(world.clinic).public_id),
        "counts": [{"lot": str(stock[0].lot.public_id), "size_units": 100, "counted": 10_001, "reason": "x"}],
    }
    resp = client_as("nurse").post(
        "/api/v1/reconciliations", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 422 and "(0 to 10000)" in resp.content.decode()

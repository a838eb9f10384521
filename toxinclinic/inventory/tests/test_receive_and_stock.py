"""Receiving vials, stock by product and expiry (first-expiring first), and the 30-day expiry alert."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.inventory.models import Lot, Vial
from toxinclinic.visits.tests.helpers import location

pytestmark = pytest.mark.django_db


def _receive(client: Any, **kw: Any) -> Any:
    body = {
        "product": "botox",
        "ndc": "0023-1145-01",
        "lot_number": "c9001a",
        "expiry_date": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
        "count": 5,
        "size_units": 100,
        **kw,
    }
    return client.post("/api/v1/vials", json.dumps(body), content_type="application/json")


def test_receive_then_stock_and_alerts(world: Any, client_as: Any) -> None:
    loc = location(world.clinic)
    c = client_as("nurse")
    resp = _receive(c, location=str(loc.public_id))
    assert resp.status_code == 201 and len(resp.json()["vials"]) == 5
    assert Lot.objects.get(lot_number="C9001A").clinic == world.clinic  # normalised to upper case
    soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert (
        _receive(c, location=str(loc.public_id), lot_number="E1", expiry_date=soon, count=2).status_code
        == 201
    )
    stock = c.get("/api/v1/stock").json()
    assert [r["lot_number"] for r in stock] == ["E1", "C9001A"]  # first-expiring first
    assert [r["count"] for r in stock] == [2, 5]
    assert [r["lot_number"] for r in c.get("/api/v1/stock/expiring").json()] == ["E1"]
    page = c.get("/inventory/").content.decode()
    assert "Expiring within 30 days" in page and "E1" in page
    assert "/inventory/receive/" in page  # nurses may receive


def test_receive_refusals(world: Any, client_as: Any) -> None:
    loc = location(world.clinic)
    c = client_as("clinician")
    resp = _receive(c, location=str(loc.public_id), size_units=150)
    assert (
        resp.status_code == 422 and "Botox comes in 50, 100, 200 U vials, not 150 U" in resp.content.decode()
    )
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    resp = _receive(c, location=str(loc.public_id), expiry_date=past)
    assert resp.status_code == 422 and "do not receive expired stock" in resp.content.decode()
    other = location(world.other_clinic, "Elsewhere")
    resp = _receive(c, location=str(other.public_id))
    assert resp.status_code == 422 and "Choose one of your clinic's locations" in resp.content.decode()
    assert _receive(c, location=str(loc.public_id)).status_code == 201
    resp = _receive(c, location=str(loc.public_id), ndc="00023-1145-02")  # a Botox 100 U NDC, not this lot's
    assert resp.status_code == 422 and "is on record with NDC 0023-1145-01" in resp.content.decode()
    assert Vial.objects.count() == 5
    assert _receive(client_as("coordinator"), location=str(loc.public_id)).status_code == 403


def test_receive_form(world: Any, client_as: Any) -> None:
    loc = location(world.clinic)
    c = client_as("admin")
    data = {
        "product": "xeomin",
        "size_units": "100",
        "ndc": "0259-1610-01",
        "lot_number": "XE1",
        "expiry_date": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "count": "3",
        "location": str(loc.public_id),
    }
    assert c.post("/inventory/receive/", data).status_code == 302
    bad = c.post("/inventory/receive/", {**data, "count": "0"})
    assert bad.status_code == 400 and "greater than or equal to 1" in bad.content.decode()
    assert Vial.objects.filter(lot__lot_number="XE1").count() == 3

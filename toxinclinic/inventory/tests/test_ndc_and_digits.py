"""A lot is received only with its own product's NDC (labeler, product code, vial size), and counts are
written with the digits 0-9: a Botox lot with Dysport's NDC, or "١٢" vials, was accepted before."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.audit.models import AuditEvent
from toxinclinic.inventory.models import Lot, Vial, VialStatus
from toxinclinic.visits.tests.helpers import location, vials

pytestmark = pytest.mark.django_db


def _body(loc: Any, **kw: Any) -> dict[str, Any]:
    return {
        "product": "botox",
        "ndc": "0023-1145-01",
        "lot_number": "N1",
        "expiry_date": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
        "count": 2,
        "size_units": 100,
        "location": str(loc.public_id),
        **kw,
    }


def _api(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/vials", json.dumps(body), content_type="application/json")


def _nothing_received() -> None:
    assert not Lot.objects.exists() and not Vial.objects.exists()
    assert not AuditEvent.objects.filter(action="lot.created").exists()


def test_botox_lot_with_dysports_ndc_is_refused(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    loc = location(world.clinic)
    resp = _api(c, _body(loc, ndc="15054-0500-1"))
    assert resp.status_code == 422
    (d,) = resp.json()["detail"]
    assert d["loc"] == ["body", "ndc"]
    assert "labeler code 15054, Ipsen's code for Dysport; Botox is labelled by Allergan (0023)" in d["msg"]
    resp = _api(c, _body(loc, ndc="0023-3921-02"))  # Botox, but the 200 U vial's code
    assert (
        resp.json()["detail"][0]["msg"]
        == "NDC 0023-3921-02 is the 200 U Botox vial, not 100 U; check the carton."
    )
    _nothing_received()
    assert _api(c, _body(loc, product="dysport", size_units=500, ndc="15054-0500-1")).status_code == 201


def test_receive_form_names_the_ndc(world: Any, client_as: Any) -> None:
    c = client_as("admin")
    loc = location(world.clinic)
    data = {**_body(loc, product="xeomin", ndc="0023-1145-01"), "count": "3"}
    resp = c.post("/inventory/receive/", data)
    assert resp.status_code == 400
    assert "Allergan&#x27;s code for Botox; Xeomin is labelled by Merz (0259)" in resp.content.decode()
    _nothing_received()


def test_other_script_digits_are_refused_in_counts(world: Any, client_as: Any) -> None:
    c = client_as("admin")
    loc = location(world.clinic)
    resp = c.post("/inventory/receive/", {**_body(loc), "count": "١٢"})
    assert resp.status_code == 400
    assert "“١” (arabic-indic digit one) is a digit of another script" in resp.content.decode()
    resp = _api(c, _body(loc, count="１２"))
    assert resp.status_code == 422
    (d,) = resp.json()["detail"]
    assert d["loc"][-1] == "count" and "“１” (fullwidth digit one)" in d["msg"]
    resp = c.post("/inventory/receive/", {**_body(loc), "count": "3", "expiry_date": "٢٠٣٠-٠١-٠١"})
    assert resp.status_code == 400 and "digit of another script" in resp.content.decode()
    _nothing_received()


def test_reconcile_count_in_other_digits(world: Any, client_as: Any) -> None:
    stock = vials(world.clinic, 2, lot_number="R9")
    key = f"{stock[0].lot.public_id}_100"
    loc = location(world.clinic)
    resp = client_as("clinician").post(
        "/inventory/reconcile/",
        {"location": str(loc.public_id), f"counted_{key}": "٢", f"reason_{key}": "x"},
    )
    assert resp.status_code == 400
    assert "Lot R9: Write numbers with the digits 0-9: “٢”" in resp.content.decode()
    assert Vial.objects.filter(lot=stock[0].lot, status=VialStatus.IN_STOCK).count() == 2

"""An amendment is a new signed version with its reason; the earlier version stays readable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def test_amendment_versions(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    v.refresh_from_db()
    c = client_as("injector")
    url = f"/api/v1/visits/{v.public_id}/amendments"
    resp = c.post(
        url, json.dumps({"version": v.version, "reason": " ", "notes": "x"}), content_type="application/json"
    )
    assert resp.status_code == 422 and "reason for the amendment" in resp.content.decode()
    resp = c.post(
        url,
        json.dumps({"version": v.version, "reason": "Wrong side noted", "notes": "Pain mostly right-sided."}),
        content_type="application/json",
    )
    assert resp.status_code == 201 and resp.json()["version"] == 2
    notes = c.get(f"/api/v1/visits/{v.public_id}/notes").json()
    assert [n["version"] for n in notes] == [1, 2]
    assert notes[1]["amendment_reason"] == "Wrong side noted"
    v1 = c.get(f"/api/v1/visits/{v.public_id}/notes/1").json()["content"]
    v2 = c.get(f"/api/v1/visits/{v.public_id}/notes/2").json()["content"]
    assert v1["visit"]["notes"] == "" and v2["visit"]["notes"] == "Pain mostly right-sided."
    page = c.get(f"/visits/{v.public_id}/notes/1/").content.decode()
    assert "superseded" in page and "Wrong side noted" in page
    assert client_as("nurse").get(f"/visits/{v.public_id}/amend/").status_code == 403

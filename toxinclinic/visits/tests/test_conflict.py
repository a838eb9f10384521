"""Two staff saving the same unsigned visit: the second gets a conflict and nothing is lost."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_second_api_save_gets_409_and_first_save_stays(world: Any) -> None:
    v = prepared_visit(world)
    start = v.version
    nurse, clinician = _client(world.user("nurse")), _client(world.user("clinician"))
    url = f"/api/v1/visits/{v.public_id}/injections"
    mine = {
        "version": start,
        "sites": [{"site_id": "procerus_midline_1", "muscle": "procerus", "side": "midline", "units": 5}],
    }
    theirs = {
        "version": start,
        "sites": [{"site_id": "procerus_midline_1", "muscle": "procerus", "side": "midline", "units": 7.5}],
    }
    assert nurse.put(url, json.dumps(mine), content_type="application/json").status_code == 200
    resp = clinician.put(url, json.dumps(theirs), content_type="application/json")
    assert resp.status_code == 409
    assert resp.json()["current_version"] == start + 1
    assert "changed by someone else" in resp.json()["detail"]
    assert [float(s.units) for s in v.sites.all()] == [5.0]


def test_second_html_save_gets_409_and_keeps_what_they_typed(world: Any) -> None:
    v = prepared_visit(world)
    sites = list(v.sites.all())
    start = v.version

    def form(units: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {"version": str(start), "action": "save", "site": []}
        for s in sites:
            data["site"].append(f"{s.site_id}|{s.muscle}|{s.side}|0")
            data[f"units:{s.site_id}"] = units.get(s.site_id, "5")
        return data

    nurse, clinician = _client(world.user("nurse")), _client(world.user("clinician"))
    url = f"/visits/{v.public_id}/chart/"
    assert nurse.post(url, form({"procerus_midline_1": "6"})).status_code == 302
    resp = clinician.post(url, form({"corrugator_left_1": "7.5"}))
    assert resp.status_code == 409
    body = resp.content.decode()
    assert "changed by someone else" in body
    # Their entry is on the page to re-apply; the nurse's saved value is in the database.
    assert 'id="units-corrugator_left_1" name="units:corrugator_left_1" value="7.5"' in body
    assert v.sites.get(site_id="procerus_midline_1").units == 6
    assert v.sites.get(site_id="corrugator_left_1").units == 5

"""Two staff saving the same unsigned visit: the second gets a conflict and nothing is lost."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from toxinclinic.visits import services as svc
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


def test_stale_step_forms_get_409_with_the_message(world: Any) -> None:
    """Screening, consent, vial and amendment forms refuse a save from an older version alike."""
    from django.utils import timezone

    from toxinclinic.visits.services import SCREENING_KEYS
    from toxinclinic.visits.tests.helpers import vials

    v = prepared_visit(world)
    stale = v.version - 1
    nurse = _client(world.user("nurse"))
    answers = dict.fromkeys(SCREENING_KEYS, "no")
    consent = {
        "discussed_benefits": "on",
        "discussed_common_effects": "on",
        "discussed_serious_effects": "on",
        "discussed_alternatives": "on",
        "consented_by": "patient",
        "consenter_name": "Ada Lovelace",
        "consented_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    [vial] = vials(world.clinic, 1, lot_number="C9999Z")
    vial_form = {
        "vial": str(vial.public_id),
        "diluent_ml": "2",
        "reconstituted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "units_administered": "0",
        "units_discarded": "0",
    }
    for step, data in (("screening", answers), ("consent", consent), ("vials", vial_form)):
        resp = nurse.post(f"/visits/{v.public_id}/{step}/", {"version": stale, **data})
        assert resp.status_code == 409, step
        assert "changed by someone else" in resp.content.decode(), step
    v.refresh_from_db()
    assert v.version == stale + 1 and v.vial_uses.count() == 2
    svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    v.refresh_from_db()
    doc = _client(world.user("clinician"))
    resp = doc.post(f"/visits/{v.public_id}/amend/", {"version": v.version - 1, "reason": "x", "notes": "y"})
    assert resp.status_code == 409 and "changed by someone else" in resp.content.decode()
    assert v.notes_versions.count() == 1

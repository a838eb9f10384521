"""The live check posts the draft to the server, which runs ``dosing.check_session``: totals per muscle,
side and session and the findings come back; nothing is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def _form(v: Any, extra_units: dict[str, str] | None = None, add: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"version": str(v.version), "site": []}
    for s in v.sites.all():
        data["site"].append(f"{s.site_id}|{s.muscle}|{s.side}|0")
        data[f"units:{s.site_id}"] = (extra_units or {}).get(s.site_id, "5")
    for sid in add or []:
        muscle, side = sid.split("_")[0], sid.split("_")[1]
        data["site"].append(f"{sid}|{muscle}|{side}|1")
        data[f"units:{sid}"] = "5"
    return data


def test_html_fragment_shows_engine_totals_and_hard_stop(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    before = v.version
    resp = client_as("clinician").post(f"/visits/{v.public_id}/check/", _form(v, {"temporalis_left_1": "25"}))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "175" in body and "Hard stop" in body
    assert (
        "Hard stop — Session maximum:</strong> The session total, 175 Botox U, is above "
        "this protocol&#x27;s maximum of 155 Botox U" in body
    )
    assert "session_max" not in body and "temporalis_left_1" not in body.split("<table")[0]
    assert 'data-flagged=""' in body  # a session limit names no muscle
    v.refresh_from_db()
    assert v.version == before and v.sites.get(site_id="temporalis_left_1").units == 5


def test_follow_the_pain_sites_switch_to_the_195_limit(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    resp = client_as("clinician").post(
        f"/visits/{v.public_id}/check/", _form(v, add=["temporalis_left_ftp_1", "occipitalis_right_ftp_1"])
    )
    body = resp.content.decode()
    assert "165" in body and "maximum of 195 Botox U (template: PREEMPT with follow-the-pain)" in body
    assert "Hard stop" not in body


def test_api_check(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    sites = [
        {"site_id": s.site_id, "muscle": s.muscle, "side": s.side, "units": float(s.units)}
        for s in v.sites.all()
    ]
    resp = client_as("nurse").post(
        f"/api/v1/visits/{v.public_id}/check", json.dumps({"sites": sites}), content_type="application/json"
    )
    data = resp.json()
    assert data["ok"] and data["total_units"] == 155
    read = AuditEvent.objects.filter(action="chart.viewed").latest("id")
    assert read.patient_id == world.patient.pk and read.data["what"] == "visit dose check (API)"
    by = {r["muscle"]: r for r in data["by_muscle"]}
    assert by["temporalis"]["left"] == 20 and by["temporalis"]["total"] == 40
    assert data["units_by_side"] == {"left": 75.0, "right": 75.0, "midline": 5.0}
    bad = client_as("nurse").post(
        f"/api/v1/visits/{v.public_id}/check",
        json.dumps({"sites": [{"site_id": "p", "muscle": "procerus", "side": "left", "units": 5}]}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "procerus is a midline muscle" in bad.content.decode()

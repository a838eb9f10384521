"""Consent is given between the patient's birth and now: a consent time in year 1 (accepted before) or
before the date of birth is a field error on ``consented_at`` (422 API, 400 form), and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.visits.models import Consent
from toxinclinic.visits.tests.helpers import consent_data, draft_visit

pytestmark = pytest.mark.django_db


def _put(client: Any, visit: Any, **kw: Any) -> Any:
    body = {**consent_data(), "version": visit.version, **kw}
    body["consented_at"] = (
        str(body["consented_at"]) if "consented_at" in kw else body["consented_at"].isoformat()
    )
    return client.put(
        f"/api/v1/visits/{visit.public_id}/consent", json.dumps(body), content_type="application/json"
    )


def _nothing_stored() -> None:
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action="visit.consent_recorded").exists()


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ("0001-01-01T00:00:00Z", "before the patient's date of birth (14 Mar 1985)"),
        ("0001-01-01T00:00:00+14:00", "before the patient's date of birth (14 Mar 1985)"),
        ("1985-03-13T23:00", "Consent time 13 Mar 1985 is before the patient's date of birth"),
        ("9999-12-31T23:59:59", "Consent time cannot be in the future."),
    ],
)
def test_api_consent_time_out_of_bounds(world: Any, client_as: Any, when: str, says: str) -> None:
    v = draft_visit(world)
    resp = _put(client_as("nurse"), v, consented_at=when)
    assert resp.status_code == 422, resp.content
    (d,) = resp.json()["detail"]
    assert d["loc"] == ["body", "consented_at"] and says in d["msg"]
    _nothing_stored()


def test_api_consent_time_as_a_number(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    resp = _put(client_as("nurse"), v, consented_at=0)
    assert resp.status_code == 422 and "not a number" in resp.json()["detail"][0]["msg"]
    _nothing_stored()


def test_form_consent_time_in_year_one(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    data = {**{k: "on" for k, val in consent_data().items() if val is True}, "consented_by": "patient"}
    data.update(consenter_name="Ada Lovelace", consented_at="0001-01-01T09:00", version=v.version)
    resp = client_as("nurse").post(f"/visits/{v.public_id}/consent/", data)
    assert resp.status_code == 400
    assert "before the patient&#x27;s date of birth (14 Mar 1985)" in resp.content.decode()
    _nothing_stored()
    ok = client_as("nurse").post(
        f"/visits/{v.public_id}/consent/", {**data, "consented_at": "2025-01-06T09:00"}
    )
    assert ok.status_code == 302 and Consent.objects.count() == 1

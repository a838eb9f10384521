"""A NUL character in any text is refused up front (400 HTML, 422 API naming where), because PostgreSQL
cannot hold or compare it: without the check a search with one answered 500 there."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.patients.models import Allergy


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("clinician", "/patients/?q=ada%00"),
        ("clinician", "/visits/?q=%00"),
        ("clinician", "/inventory/recall/?lot=C1%00"),
        ("admin", "/audit/?actor=%00"),
    ],
)
def test_search_boxes(world: Any, client_as: Any, role: str, url: str) -> None:
    resp = client_as(role).get(url)
    assert resp.status_code == 400 and "remove the NUL character" in resp.content.decode()


def test_api_query_and_body_name_the_field(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    resp = c.get("/api/v1/patients", {"q": "a\x00"})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["query", "q"]
    url = f"/api/v1/patients/{world.patient.public_id}/allergies"
    body = {"substance": "Latex", "reaction": "hives\u0000", "severity": "mild"}
    resp = c.post(url, json.dumps(body), content_type="application/json")
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "reaction"]
    assert not Allergy.objects.exists() and not AuditEvent.objects.filter(action="allergy.created").exists()
    ok = c.post(url, json.dumps({**body, "reaction": "hives"}), content_type="application/json")
    assert ok.status_code == 201


def test_fhir_query_answers_an_operation_outcome(world: Any, client: Any) -> None:
    """A FHIR client reads errors as OperationOutcome (found by ``make fuzz``: it got text/plain)."""
    resp = client.get("/fhir/R4/Observation", {"patient": "x\x00"})
    assert resp.status_code == 400
    assert resp["Content-Type"].startswith("application/fhir+json")
    body = resp.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "invalid" and "NUL" in body["issue"][0]["diagnostics"]
    assert body["issue"][0]["expression"] == ["query.patient"]


def test_html_form_post(world: Any, client_as: Any) -> None:
    from urllib.parse import urlencode

    url = f"/patients/{world.patient.public_id}/allergies/new/"
    data = {"substance": "Lat\x00ex", "reaction": "Hives", "severity": "mild"}
    c = client_as("nurse")
    resp = c.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400 and "substance: remove the NUL character" in resp.content.decode()
    # Multipart forms are left to the form, whose text fields refuse NUL themselves.
    resp = c.post(url, data)
    assert resp.status_code == 400 and "Null characters are not allowed." in resp.content.decode()
    assert not Allergy.objects.exists()

"""Malformed or out-of-range fields get a per-field message, change nothing; stale updates conflict."""

from __future__ import annotations

import json
from typing import Any

from toxinclinic.audit.models import AuditEvent
from toxinclinic.patients.models import Patient, PreventiveTrial


def _api(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_api_create_patient_future_birth_date_names_the_field(world: Any, client_as: Any) -> None:
    before = Patient.objects.count()
    r = _api(
        client_as("nurse"),
        "post",
        "/api/v1/patients",
        {
            "mrn": "X1",
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "2999-01-01",
            "enrolled_on": "2025-01-01",
        },
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["body", "date_of_birth"]
    assert "cannot be in the future" in detail[0]["msg"]
    assert Patient.objects.count() == before


def test_api_malformed_date_is_422_with_field(world: Any, client_as: Any) -> None:
    r = _api(
        client_as("nurse"),
        "post",
        "/api/v1/patients",
        {
            "mrn": "X1",
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "14/03/1985",
            "enrolled_on": "2025-01-01",
        },
    )
    assert r.status_code == 422
    assert any("date_of_birth" in d["loc"] for d in r.json()["detail"])


def test_duplicate_mrn_refused(world: Any, client_as: Any) -> None:
    r = _api(
        client_as("nurse"),
        "post",
        "/api/v1/patients",
        {
            "mrn": "A001",
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "1980-01-01",
            "enrolled_on": "2025-01-01",
        },
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "mrn"]


def test_same_mrn_allowed_in_another_clinic(world: Any, client_as: Any) -> None:
    r = _api(
        client_as("other_clinician"),
        "post",
        "/api/v1/patients",
        {
            "mrn": "A001",
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "1980-01-01",
            "enrolled_on": "2025-01-01",
        },
    )
    assert r.status_code == 201
    assert r.json()["id"] and "pk" not in r.json()


def test_icd10_must_code_the_indication(world: Any, client_as: Any) -> None:
    r = _api(
        client_as("clinician"),
        "post",
        f"/api/v1/patients/{world.patient.public_id}/indications",
        {"indication": "chronic_migraine", "icd10": "G24.3"},
    )
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["loc"] == ["body", "icd10"] and "G43.709" in d["msg"]


def test_preventive_end_before_start_html_form(world: Any, client_as: Any) -> None:
    r = client_as("nurse").post(
        f"/patients/{world.patient.public_id}/preventives/new/",
        {
            "drug": "Topiramate",
            "drug_class": "anticonvulsant",
            "outcome": "ineffective",
            "started_on": "2024-05-01",
            "ended_on": "2024-03-01",
        },
    )
    assert r.status_code == 400
    assert "Must be on or after the start date" in r.content.decode()
    assert not PreventiveTrial.objects.exists()
    assert not AuditEvent.objects.filter(action="preventive.created").exists()


def test_unknown_ids_are_404(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    assert c.get("/patients/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert c.get("/patients/not-a-uuid/").status_code == 404
    assert c.get("/api/v1/patients/00000000-0000-0000-0000-000000000000").status_code == 404
    unknown = f"/api/v1/patients/{world.patient.public_id}/allergies/00000000-0000-0000-0000-000000000000"
    assert _api(c, "patch", unknown, {"version": 1, "reaction": "Hives"}).status_code == 404
    assert c.delete(unknown + "?version=1").status_code == 404
    assert c.get(f"/api/v1/patients/{world.other_patient.public_id}/allergies").status_code == 404


def test_stale_update_is_a_conflict_and_nothing_is_lost(world: Any, client_as: Any) -> None:
    url = f"/api/v1/patients/{world.patient.public_id}"
    first = _api(client_as("nurse"), "patch", url, {"version": 1, "phone": "(617) 555-0111"})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = _api(client_as("coordinator"), "patch", url, {"version": 1, "phone": "(617) 555-0122"})
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    world.patient.refresh_from_db()
    assert world.patient.phone == "(617) 555-0111"


def test_stale_html_form_save_shows_conflict(world: Any, client_as: Any) -> None:
    data = {
        "mrn": "A001",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1985-03-14",
        "sex": "female",
        "enrolled_on": "2025-01-06",
        "email": "ada@example.net",
    }
    url = f"/patients/{world.patient.public_id}/edit/"
    assert client_as("nurse").post(url, {**data, "phone": "(617) 555-0111", "version": 1}).status_code == 302
    r = client_as("clinician").post(url, {**data, "phone": "(617) 555-0122", "version": 1})
    assert r.status_code == 409
    assert "changed by someone else" in r.content.decode()
    world.patient.refresh_from_db()
    assert world.patient.phone == "(617) 555-0111"

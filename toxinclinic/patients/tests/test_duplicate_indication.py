"""A patient has one row per indication (a database constraint): adding it twice, or editing one entry into
another's indication, is a form error naming the field (400 HTML, 422 API), never the constraint's 500,
and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

from toxinclinic.audit.models import AuditEvent
from toxinclinic.patients.models import PatientIndication

CM = {"indication": "chronic_migraine", "icd10": "G43.709"}
CD = {"indication": "cervical_dystonia", "icd10": "G24.3"}


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_duplicate_is_422_naming_the_field(world: Any, client_as: Any) -> None:
    c = client_as("clinician")
    url = f"/api/v1/patients/{world.patient.public_id}/indications"
    assert _post(c, url, CM).status_code == 201
    audits = AuditEvent.objects.count()
    r = _post(c, url, {**CM, "icd10": "G43.719"})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert [x["loc"] for x in d] == [["body", "indication"]]
    assert "already has chronic migraine" in d[0]["msg"]
    assert PatientIndication.objects.filter(patient=world.patient).count() == 1
    assert AuditEvent.objects.count() == audits
    # The same indication on another patient is fine.
    assert _post(c, f"/api/v1/patients/{world.patient2.public_id}/indications", CM).status_code == 201


def test_api_edit_into_an_existing_indication_is_422(world: Any, client_as: Any) -> None:
    c = client_as("clinician")
    url = f"/api/v1/patients/{world.patient.public_id}/indications"
    assert _post(c, url, CM).status_code == 201
    cd = _post(c, url, CD).json()
    r = c.patch(f"{url}/{cd['public_id']}", json.dumps({**CM, "version": 1}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "indication"]
    assert set(PatientIndication.objects.values_list("indication", flat=True)) == {
        "chronic_migraine",
        "cervical_dystonia",
    }
    # Saving an entry with its own indication is not a duplicate.
    body = json.dumps({**CD, "notes": "x", "version": 1})
    ok = c.patch(f"{url}/{cd['public_id']}", body, content_type="application/json")
    assert ok.status_code == 200


def test_html_form_duplicate_is_400_with_the_message(world: Any, client_as: Any) -> None:
    c = client_as("clinician")
    url = f"/patients/{world.patient.public_id}/indications/new/"
    assert c.post(url, CM).status_code == 302
    r = c.post(url, {**CM, "icd10": "G43.719"})
    assert r.status_code == 400
    assert "already has chronic migraine on the chart" in r.content.decode()
    assert PatientIndication.objects.filter(patient=world.patient).count() == 1

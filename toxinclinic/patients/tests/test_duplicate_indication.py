"""A patient has one row per indication (a database constraint): adding it twice, or editing one entry into
another's indication, is a form error naming the field (400 HTML, 422 API), never the constraint's 500,
and nothing is stored."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

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


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_is_a_field_error_on_postgresql(world: Any, client_as: Any) -> None:
    """Two "Add" requests at once: the other one's row is not yet committed when this request's form
    checks, so only the unique index stops the insert. The request then answers like the form would."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: an insert waits on another transaction's uncommitted unique key there")
    c = client_as("clinician")
    url = f"/api/v1/patients/{world.patient.public_id}/indications"
    inserted, release, result = threading.Event(), threading.Event(), {}

    def other_request() -> None:
        try:
            with transaction.atomic():
                PatientIndication.objects.create(patient=world.patient, **CM)
                inserted.set()
                release.wait(30)
        finally:
            connection.close()

    def this_request() -> None:
        try:
            result["resp"] = _post(c, url, {**CM, "icd10": "G43.719"})
        finally:
            connection.close()

    other = threading.Thread(target=other_request)
    other.start()
    assert inserted.wait(10)
    this = threading.Thread(target=this_request)
    this.start()
    deadline = time.monotonic() + 20
    with connection.cursor() as cur:  # until this request's insert waits on the other's row lock
        while time.monotonic() < deadline:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the second insert never waited on the first")
    release.set()
    other.join(30)
    this.join(30)
    r = result["resp"]
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["loc"] == ["body", "indication"]
    assert PatientIndication.objects.filter(patient=world.patient).count() == 1
    assert not AuditEvent.objects.filter(action="indication.created").exists()  # the other wrote directly

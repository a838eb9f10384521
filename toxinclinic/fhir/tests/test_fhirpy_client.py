"""A real FHIR client (fhirpy) against the live test server: the token is got by signing a JWT assertion
as a backend client does, then read, search with paging, and follow ``next`` links."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fhirpy import SyncFHIRClient

from toxinclinic.fhir.tests.helpers import TOKEN_PATH, full_chart, make_client, token_form


@pytest.mark.django_db(transaction=True)
def test_fhirpy_reads_searches_and_pages(world: Any, live_server: Any) -> None:
    full_chart(world)
    c, key = make_client(world.clinic, kind="RSA")
    token_url = f"{live_server.url}{TOKEN_PATH}"
    smart = requests.get(f"{live_server.url}/.well-known/smart-configuration", timeout=10).json()
    assert smart["token_endpoint"].endswith(TOKEN_PATH)
    r = requests.post(token_url, data=token_form(c, key, token_url, "system/*.read"), timeout=10)
    assert r.status_code == 200, r.text
    fhir = SyncFHIRClient(f"{live_server.url}/fhir/R4", authorization=f"Bearer {r.json()['access_token']}")

    pid = str(world.patient.public_id)
    patient = fhir.reference("Patient", pid).to_resource()
    assert patient["name"][0]["family"] == "Lovelace"

    every = fhir.resources("Observation").search(patient=pid).limit(500).fetch()
    paged = fhir.resources("Observation").search(patient=pid).limit(2).fetch_all()  # follows next links
    assert len(every) >= 6
    assert [o.id for o in paged] == [o.id for o in every]
    bundle = fhir.execute("Observation", method="get", params={"patient": pid, "_summary": "count"})
    assert bundle["total"] == len(every)
    assert fhir.resources("MedicationAdministration").search(patient=pid).limit(10).fetch_all()

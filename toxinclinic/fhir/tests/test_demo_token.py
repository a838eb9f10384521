from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_demo_token_line_reads_but_only_reads(world: Any, client: Any) -> None:
    out = StringIO()
    call_command("fhir_demo_token", clinic=world.clinic.name, stdout=out)
    line = out.getvalue().strip()
    assert line.startswith("FHIR token: ")
    tok = line.removeprefix("FHIR token: ")
    r = client.get("/fhir/R4/Patient", HTTP_AUTHORIZATION=f"Bearer {tok}")
    assert r.status_code == 200 and len(r.json()["entry"]) == 2
    refused = client.post("/fhir/R4/Patient", {}, HTTP_AUTHORIZATION=f"Bearer {tok}")
    assert refused.status_code == 405 and refused.json()["resourceType"] == "OperationOutcome"
    # Run again (demo restarted): a new token, the client registered once.
    call_command("fhir_demo_token", clinic=world.clinic.name, stdout=StringIO())
    from toxinclinic.fhir.models import BackendClient

    assert BackendClient.objects.filter(clinic=world.clinic).count() == 1

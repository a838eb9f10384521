"""Every resource the server emits validates with fhir.resources (R4B models, the R4 line)."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from toxinclinic.fhir.resources import TYPES
from toxinclinic.fhir.tests.helpers import full_chart, get_token, make_client


def validate(resource: dict[str, Any]) -> None:
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)


@pytest.mark.django_db
def test_every_type_searches_and_every_resource_validates(world: Any, client: Any) -> None:
    chart = full_chart(world)
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)
    seen: dict[str, int] = {}
    for name in TYPES:
        r = client.get(f"/fhir/R4/{name}", {"_count": 500}, HTTP_AUTHORIZATION=f"Bearer {tok}")
        assert r.status_code == 200, (name, r.content[:500])
        assert r["Content-Type"].startswith("application/fhir+json")
        bundle = r.json()
        validate(bundle)
        for e in bundle.get("entry", []):
            validate(e["resource"])
            # Read by id gives the same resource.
            one = client.get(f"/fhir/R4/{name}/{e['resource']['id']}", HTTP_AUTHORIZATION=f"Bearer {tok}")
            assert one.status_code == 200, (name, e["resource"]["id"], one.content[:300])
            assert one.json() == e["resource"]
        seen[name] = len(bundle.get("entry", []))
    # Something of every type was emitted (and so validated).
    assert all(n > 0 for n in seen.values()), seen
    assert seen["MedicationAdministration"] == chart["visit"].sites.count()
    assert seen["Observation"] >= 3 + 2 + 1  # diary days, a month's two counts, a questionnaire total
    ae = client.get(
        f"/fhir/R4/AdverseEvent/{chart['adverse_event'].public_id}", HTTP_AUTHORIZATION=f"Bearer {tok}"
    )
    assert ae.json()["suspectEntity"] == [
        {"instance": {"reference": f"Procedure/{chart['visit'].public_id}"}}
    ]


@pytest.mark.django_db
def test_capability_statement_validates_and_lists_every_type(world: Any, client: Any) -> None:
    r = client.get("/fhir/R4/metadata")
    assert r.status_code == 200
    cs = r.json()
    validate(cs)
    listed = {res["type"] for res in cs["rest"][0]["resource"]}
    assert set(TYPES) <= listed

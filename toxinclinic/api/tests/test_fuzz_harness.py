"""The fuzz harness (``make fuzz``, the ``fuzz`` folder): the FHIR description it fuzzes is the
CapabilityStatement's interactions, each caller's config is what schemathesis reads, and failures are
read back out of its output. The fuzz run itself is ``make fuzz`` (minutes, a real server)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import schemathesis

from fuzz import fhir_openapi, seed
from fuzz.run import failing_cases, write_config
from toxinclinic.fhir.capability import capability_statement
from toxinclinic.fhir.resources import TYPES


def test_fhir_description_has_every_supported_interaction_and_loads() -> None:
    doc = fhir_openapi.document(capability_statement("http://testserver/fhir/R4/", "2026-01-01"))
    paths = doc["paths"]
    for name, t in TYPES.items():
        params = {p["name"] for p in paths[f"/{name}"]["get"]["parameters"]}
        assert set(t.params) <= params, name
        assert {"_count", "_summary", "_format"} <= params
        assert "404" in paths[f"/{name}/{{id}}"]["get"]["responses"]
    assert "post" in paths["/"] and "/metadata" in paths
    assert "/Group" not in paths  # Group has only $export, which the description leaves out
    schema = schemathesis.openapi.from_dict(doc)
    assert len(list(schema.get_all_operations())) == 2 * len(TYPES) + 2


def test_config_binds_real_ids_to_parameters(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    write_config(cfg, seed=5, examples=3, ids={"patient_id": ["a", 'b"c'], "visit_id": ["v"]})
    data = tomllib.loads(cfg.read_text())
    assert data["seed"] == 5 and data["generation"]["max-examples"] == 3
    assert data["dictionaries"]["patient_id"]["values"] == ["a", 'b"c']
    assert data["parameters"]["visit_id"]["dictionary"] == "visit_id"


OUTPUT = """
=================================== FAILURES ===================================
_________________________ POST /api/v1/visits _________________________
1. Test Case ID: abc

- ST103 Undocumented status code

    Received: 404
    Documented: 201, 400

[404] Not Found:

    `{"detail": "Not found."}`

Reproduce with:

    curl -X POST -H 'Authorization: [Filtered]' -d '{"patient": "x"}' http://127.0.0.1:8500/api/v1/visits

=================================== SUMMARY ====================================
"""


def test_failing_cases_are_read_from_the_output() -> None:
    [case] = failing_cases(OUTPUT)
    assert case["operation"] == "POST /api/v1/visits"
    assert case["kinds"] == ["ST103 Undocumented status code"]
    assert case["statuses"] == ["404"]
    assert case["said"] == ["Received: 404"]
    assert case["case"].startswith("curl -X POST") and "api/v1/visits" in case["case"]
    assert failing_cases("no failures here") == []
    long_title = OUTPUT.replace("_________________________ POST", "_ POST")
    assert failing_cases(long_title)[0]["operation"] == "POST /api/v1/visits"


def test_fuzzing_refuses_a_database_with_other_clinics(world: Any) -> None:
    """The fuzzer flushes and writes: a database holding any clinic but the demo's is not one to fuzz."""
    from toxinclinic.accounts.models import Clinic

    with pytest.raises(seed.NotAFuzzDatabase):
        seed.seed_database(1, seed=1)
    assert Clinic.objects.filter(name="Clinic A").exists()

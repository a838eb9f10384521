"""The OpenAPI document says what the server does: every operation's error responses in the one error
shape the handlers send, and request enums that the server accepts value by value."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest

from toxinclinic.api.openapi import implicit_errors
from toxinclinic.patients.records import KINDS


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from toxinclinic.api.main import api

    return json.loads(json.dumps(api.get_openapi_schema()))


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    ]


def test_every_operation_documents_the_error_responses_its_shape_allows(document: dict[str, Any]) -> None:
    """401/403 everywhere, 422 with parameters or a body, 400 with a body, 404 with a record in the path;
    each in the one Error shape. Nothing more unless the operation declares it (409 is not everywhere)."""
    ops = _operations(document)
    missing = [
        f"{method} {path}: {status}"
        for method, path, op in ops
        for status in implicit_errors(op, document["components"]["schemas"])
        if op["responses"].get(status, {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/Error"}
    ]
    assert len(ops) > 50
    assert not missing, missing
    assert implicit_errors({"parameters": []}) == {"401", "403"}
    no_params = [op for _, path, op in ops if path == "/api/v1/me"]
    assert no_params and set(no_params[0]["responses"]) == {"200", "401", "403"}
    by_name = {f"{m} {p}": op for m, p, op in ops}
    assert "404" in by_name["POST /api/v1/visits"]["responses"]  # the body names a patient
    assert "404" in by_name["GET /api/v1/visits"]["responses"]  # ?patient= names one
    assert "404" not in by_name["GET /api/v1/diary/missing"]["responses"]
    conflicts = {f"{m} {p}" for m, p, op in ops if "409" in op["responses"]}
    assert 0 < len(conflicts) < len(ops) / 2, conflicts
    assert "PATCH /api/v1/patients/{patient_id}" in conflicts  # declared by the operation itself


def test_schema_names_are_unique() -> None:
    """ninja names each component after its class: two classes of one name share (overwrite) one schema,
    and one operation's responses are then checked against the other's (the fuzzer found two)."""
    import collections

    import pydantic

    def subclasses(cls: type) -> Any:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    by_name = collections.defaultdict(set)
    for cls in subclasses(pydantic.BaseModel):
        if cls.__module__.startswith("toxinclinic.") and ".tests." not in cls.__module__:
            by_name[cls.__name__].add(cls.__module__)
    assert not {n: m for n, m in by_name.items() if len(m) > 1}


def _error_validator(document: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(
        {"components": document["components"], "$ref": "#/components/schemas/Error"}
    )


def test_real_error_bodies_match_the_documented_error_schema(
    document: dict[str, Any], world: Any, client_as: Any
) -> None:
    valid = _error_validator(document)
    p = world.patient
    base = f"/api/v1/patients/{p.public_id}"
    bodies = {
        400: client_as("nurse").post(f"{base}/allergies", "{not json", content_type="application/json"),
        401: client_as(None).get("/api/v1/me"),
        403: client_as("nurse").get("/api/v1/audit/events"),
        404: client_as("nurse").get("/api/v1/patients/00000000-0000-0000-0000-000000000000"),
        409: client_as("nurse").patch(
            base, {"version": 99, "phone": "(617) 555-0134"}, content_type="application/json"
        ),
        422: client_as("nurse").patch(base, {"version": 1, "sex": "x"}, content_type="application/json"),
    }
    for status, r in bodies.items():
        assert r.status_code == status, (status, r.content[:300])
        assert valid.is_valid(r.json()), (status, r.json())
    form_error = client_as("nurse").post(
        f"{base}/allergies", {"substance": " "}, content_type="application/json"
    )
    assert form_error.status_code == 422 and valid.is_valid(form_error.json())
    assert not valid.is_valid({"message": "no detail"})  # the schema can fail


def _enums(document: dict[str, Any], component: str) -> dict[str, list[Any]]:
    """Property -> documented enum of a request component (through anyOf for optional fields)."""
    out = {}
    for name, prop in document["components"]["schemas"][component]["properties"].items():
        for branch in [prop, *prop.get("anyOf", [])]:
            if "enum" in branch:
                out[name] = branch["enum"]
    return out


def _minimal(document: dict[str, Any], component: str) -> dict[str, Any]:
    """A body with each required property filled in plainly (first enum value, a date, a word)."""
    schema = document["components"]["schemas"][component]
    body: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = schema["properties"][name]
        if "enum" in prop:
            body[name] = prop["enum"][0]
        elif prop.get("format") == "date":
            body[name] = "2025-01-06"
        else:
            body[name] = "Test"
    return body


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_every_documented_enum_value_is_accepted(
    slug: str, document: dict[str, Any], world: Any, client_as: Any
) -> None:
    """Each value a record's create schema lists is taken by the server (no 422 naming the field)."""
    from toxinclinic.patients.models import ICD10_BY_INDICATION

    kind = KINDS[slug]
    component = f"{kind.model.__name__}In"
    enums = _enums(document, component)
    assert enums, f"{component} documents no enum"
    client = client_as("clinician")
    url = f"/api/v1/patients/{world.patient.public_id}/{slug}"
    for field, values in enums.items():
        for value in values:
            body = {**_minimal(document, component), field: value}
            if slug == "indications":  # the code must be one of the indication's own (a documented pairing)
                if field == "icd10":
                    body["indication"] = next(i for i, codes in ICD10_BY_INDICATION.items() if value in codes)
                else:
                    body["icd10"] = sorted(ICD10_BY_INDICATION[body["indication"]])[0]
                kind.model.objects.filter(patient=world.patient).delete()  # one per indication
            r = client.post(url, body, content_type="application/json")
            assert r.status_code == 201, (component, field, value, r.json())


def test_patient_sex_enum_is_what_the_server_accepts(
    document: dict[str, Any], world: Any, client_as: Any
) -> None:
    client = client_as("nurse")
    url = f"/api/v1/patients/{world.patient.public_id}"
    enums = _enums(document, "PatientPatch")
    assert set(enums) == {"sex"}
    for value in enums["sex"]:
        version = client.get(url).json()["version"]
        r = client.patch(url, {"version": version, "sex": value}, content_type="application/json")
        assert r.status_code == 200, (value, r.json())


def test_out_of_range_numbers_are_a_field_error_not_a_database_error(world: Any, client_as: Any) -> None:
    """Found by the fuzzer on PostgreSQL: visits_approved=-14296913 reached a smallint column (500)."""
    from toxinclinic.coverage.models import PriorAuthorization

    url = f"/api/v1/coverage/patients/{world.patient.public_id}/authorizations"
    client = client_as("coordinator")
    for field, value in [
        ("visits_approved", -14296913),
        ("visits_approved", 40000),
        ("units_per_session", 2**31),
    ]:
        r = client.post(url, {"payer": "Aetna", field: value}, content_type="application/json")
        assert r.status_code == 422, (field, value, r.content[:200])
        assert r.json()["detail"][0]["loc"][-1] == field
    assert not PriorAuthorization.objects.exists()
    ok = client.post(url, {"payer": "Aetna", "visits_approved": 4}, content_type="application/json")
    assert ok.status_code == 201, ok.content[:300]

"""An OpenAPI 3.1 description of the FHIR interactions the server supports, built from its own
CapabilityStatement (``toxinclinic.fhir.capability``, itself built from ``resources.TYPES``), so the fuzzer
asks exactly what the server advertises: ``metadata``, read and search-type per resource type with each
type's search parameters, and the intake transaction.

The FHIR API has no OpenAPI document of its own; this one is for the fuzzer only. It is honest about what
the views answer (``toxinclinic/fhir/views.py``): a resource or a searchset Bundle, or an OperationOutcome
with 400 (bad parameter or body), 401 (no live token), 403 (no scope, or another patient), 404 (unknown
here), 406 (``_format`` not JSON), 410 (deleted).
"""

from __future__ import annotations

from typing import Any

FHIR_JSON = "application/fhir+json"

#: A FHIR date search value: an optional prefix, then a date at year, month, day or second precision.
DATE_PARAM = (
    r"^(eq|ge|le|gt|lt)?[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$"
)
#: A logical id as the server's routes take it.
ID = r"^[A-Za-z0-9\-\.]{1,64}$"

_OUTCOME = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"enum": ["fatal", "error", "warning", "information"]},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                },
            },
        },
    },
}
_ERRORS = {
    "400": (
        "A search parameter or value this server does not support, text no database can hold (a NUL), "
        "or a body that is not a Bundle."
    ),
    "401": "No live SMART access token.",
    "403": "The token has no scope for this (or a patient's token asked about another patient).",
    "404": "Not known to this server.",
    "406": "A _format other than JSON.",
    "410": "The resource was deleted.",
}


def _resource(type_name: str | None) -> dict[str, Any]:
    rt: dict[str, Any] = (
        {"const": type_name} if type_name else {"type": "string", "pattern": "^[A-Z][A-Za-z]+$"}
    )
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": rt, "id": {"type": "string", "pattern": ID}},
    }


def _bundle(kind: str, type_name: str | None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["resourceType", "type"],
        "properties": {
            "resourceType": {"const": "Bundle"},
            "type": {"const": kind},
            "total": {"type": "integer", "minimum": 0},
            "link": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["relation", "url"],
                    "properties": {"relation": {"enum": ["self", "next"]}, "url": {"type": "string"}},
                },
            },
            "entry": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "fullUrl": {"type": "string"},
                        "resource": _resource(None)
                        if type_name is None
                        else {"anyOf": [_resource(type_name), _resource("Patient")]},
                        "search": {"type": "object", "properties": {"mode": {"enum": ["match", "include"]}}},
                        "response": {"type": "object"},
                    },
                },
            },
        },
    }


def _responses(ok: dict[str, Any], statuses: list[str]) -> dict[str, Any]:
    out = {"200": {"description": "OK", "content": {FHIR_JSON: {"schema": ok}}}}
    for s in statuses:
        out[s] = {"description": _ERRORS[s], "content": {FHIR_JSON: {"schema": _OUTCOME}}}
    return out


_TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
_PARAM_SCHEMAS: dict[str, dict[str, Any]] = {
    "date": {"type": "string", "pattern": DATE_PARAM},
    "reference": _TEXT,
    "token": _TEXT,
    "number": {"type": "integer"},
}
_FORMAT = {
    "name": "_format",
    "in": "query",
    "required": False,
    "schema": {"enum": ["json", "application/json", "application/fhir+json", "xml"]},
}


def document(capability: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document for the interactions ``capability`` (a CapabilityStatement) lists."""
    rest = capability["rest"][0]
    paths: dict[str, Any] = {
        "/metadata": {
            "get": {
                "operationId": "metadata",
                "security": [],
                "parameters": [_FORMAT],
                "responses": _responses(_resource("CapabilityStatement"), ["400", "406"]),
            }
        }
    }
    common = {p["name"]: p for p in rest.get("searchParam", [])}
    for res in rest["resource"]:
        t = res["type"]
        codes = {i["code"] for i in res.get("interaction", [])}
        if "search-type" in codes:
            params = [
                {
                    "name": p["name"],
                    "in": "query",
                    "required": False,
                    "description": p.get("documentation", ""),
                    "schema": _PARAM_SCHEMAS[p["type"]],
                }
                for p in res.get("searchParam", [])
            ]
            params += [
                {"name": "_count", "in": "query", "required": False, "schema": {"type": "integer"}},
                {
                    "name": "_summary",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": ["count", "false"]},
                },
                _FORMAT,
            ]
            if res.get("searchInclude"):
                params.append(
                    {
                        "name": "_include",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": res["searchInclude"]},
                    }
                )
            assert {"_count", "_summary"} <= set(common)
            paths[f"/{t}"] = {
                "get": {
                    "operationId": f"search_{t}",
                    "parameters": params,
                    "responses": _responses(_bundle("searchset", t), ["400", "401", "403", "406"]),
                }
            }
        if "read" in codes:
            paths[f"/{t}/{{id}}"] = {
                "get": {
                    "operationId": f"read_{t}",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": ID},
                        },
                        _FORMAT,
                    ],
                    "responses": _responses(_resource(t), ["400", "401", "403", "404", "406", "410"]),
                }
            }
    if any(i["code"] == "transaction" for i in rest.get("interaction", [])):
        paths["/"] = {
            "post": {
                "operationId": "transaction",
                "requestBody": {
                    "required": True,
                    "content": {
                        FHIR_JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["resourceType", "type"],
                                "properties": {
                                    "resourceType": {"const": "Bundle"},
                                    "type": {"enum": ["transaction", "collection"]},
                                    "entry": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "resource": _resource(None),
                                                "request": {"type": "object"},
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    **_responses(
                        {"anyOf": [_bundle("transaction-response", None), _bundle("batch-response", None)]},
                        ["400", "401", "403", "406"],
                    )
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Toxin Clinic FHIR R4 (interactions from the CapabilityStatement)",
            "version": "4.0.1",
        },
        "servers": [{"url": "/fhir/R4"}],
        "components": {"securitySchemes": {"smart": {"type": "http", "scheme": "bearer"}}},
        "security": [{"smart": []}],
        "paths": paths,
    }

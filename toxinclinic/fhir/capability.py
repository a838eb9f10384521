"""The CapabilityStatement (``/metadata``) and the SMART configuration, built from what the server
really supports (``resources.TYPES``), so neither can drift from the code."""

from __future__ import annotations

from typing import Any

from toxinclinic.fhir.resources import PATIENT_TYPES, TYPES
from toxinclinic.fhir.smart import ALGORITHMS

_PARAM_DOCS = {
    "patient": ("reference", "The patient the resource is about"),
    "date": ("date", "Clinical date; prefixes eq, ge, le, gt, lt"),
    "code": ("token", "system|code or code"),
    "_id": ("token", "Logical id"),
    "_lastUpdated": ("date", "When the record last changed; prefixes eq, ge, le, gt, lt"),
}
EXPORT_OPERATIONS = [
    {"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"},
]


def capability_statement(base: str, software_date: str) -> dict[str, Any]:
    resources = []
    for name, t in TYPES.items():
        entry: dict[str, Any] = {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": p, "type": _PARAM_DOCS[p][0], "documentation": _PARAM_DOCS[p][1]}
                for p in sorted(t.params)
            ],
        }
        if name in PATIENT_TYPES and name != "Patient":
            entry["searchInclude"] = [f"{name}:patient"]
        if name == "Patient":
            entry["operation"] = [
                {
                    "name": "export",
                    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
                }
            ]
        resources.append(entry)
    resources.append(
        {
            "type": "Group",
            "interaction": [],
            "operation": [
                {
                    "name": "export",
                    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
                }
            ],
        }
    )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": software_date,
        "kind": "instance",
        "software": {"name": "Toxin Clinic"},
        "implementation": {"description": "Toxin Clinic FHIR R4 server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [{"url": "token", "valueUri": f"{base}auth/token"}],
                        }
                    ],
                    "description": "SMART Backend Services: client_credentials with a private_key_jwt "
                    "assertion (RS384 or ES384); read-only system/ and patient/ scopes.",
                },
                "resource": resources,
                # Intake import (POST [base]): a transaction or collection Bundle, for clients a clinic
                # admin registered with write scopes.
                "interaction": [{"code": "transaction"}],
                "searchParam": [
                    {"name": "_count", "type": "number", "documentation": "Page size (keyset-paged)"},
                    {"name": "_summary", "type": "token", "documentation": "count only"},
                ],
                "operation": EXPORT_OPERATIONS,
            }
        ],
    }


def smart_configuration(base: str) -> dict[str, Any]:
    return {
        "token_endpoint": f"{base}auth/token",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS,
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": [
            "system/*.read",
            "system/*.rs",
            *[f"system/{t}.read" for t in TYPES],
            "patient/*.read",
        ],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }

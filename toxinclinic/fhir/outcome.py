"""FHIR answers: ``application/fhir+json`` bodies and OperationOutcome errors with the right status."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse

from toxinclinic.fhir import codes

FHIR_JSON = "application/fhir+json"


class FhirError(Exception):
    """An error the server answers as an OperationOutcome (``code`` from the FHIR issue-type codes)."""

    def __init__(self, status: int, code: str, diagnostics: str) -> None:
        super().__init__(diagnostics)
        self.status, self.code, self.diagnostics = status, code, diagnostics


def operation_outcome(issues: list[tuple[str, str, str]]) -> dict[str, Any]:
    """``issues`` as (severity, code, diagnostics)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": sev, "code": code, "diagnostics": text, "details": {"text": text}}
            for sev, code, text in issues
        ],
    }


def fhir_response(data: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    resp = HttpResponse(orjson.dumps(data), status=status, content_type=FHIR_JSON)
    for k, v in headers.items():
        resp[k.replace("_", "-")] = v
    return resp


def error_response(err: FhirError) -> HttpResponse:
    resp = fhir_response(operation_outcome([("error", err.code, err.diagnostics)]), status=err.status)
    if err.status == 401:
        resp["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return resp


__all__ = ["FHIR_JSON", "FhirError", "codes", "error_response", "fhir_response", "operation_outcome"]

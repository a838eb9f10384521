"""Schemathesis hooks the fuzz runs load (``SCHEMATHESIS_HOOKS=fuzz.hooks``).

``fhir_resources_valid``: every FHIR resource the server answers (a read, each entry of a searchset
Bundle, an OperationOutcome) validates as its FHIR R4 type with ``fhir.resources`` (R4B models, the
closest the package has to R4; STACK.md). The OpenAPI description of the FHIR interactions only says
"a resource of this type"; this checks the resource itself.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis


def _problems(resource: Any) -> list[str]:
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        return ["not a resource (no resourceType)"]
    rt = resource["resourceType"]
    try:
        model = get_fhir_model_class(rt)
    except KeyError:
        return [f"{rt} is not a FHIR resource type"]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return [f"{rt}/{resource.get('id', '?')}: {e['loc']} {e['msg']}" for e in exc.errors()[:3]]
    return []


@schemathesis.check
def fhir_resources_valid(ctx: Any, response: Any, case: Any) -> bool | None:
    if not response.headers.get("content-type", [""])[0].startswith("application/fhir+json"):
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError("The FHIR answer is not JSON") from exc
    problems: list[str] = []
    if isinstance(body, dict) and body.get("resourceType") == "Bundle":
        for entry in body.get("entry") or []:
            if isinstance(entry, dict) and "resource" in entry:
                problems += _problems(entry["resource"])
        bundle = {k: v for k, v in body.items() if k != "entry"}
        problems += _problems(bundle)
    else:
        problems += _problems(body)
    if problems:
        raise AssertionError("Not a valid FHIR R4 resource: " + "; ".join(problems[:5]))
    return None

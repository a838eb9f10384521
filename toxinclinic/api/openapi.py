"""What every operation of the OpenAPI document says beyond its own schemas, added in one place.

* The error responses each operation can really answer, all in the one error shape of
  ``toxinclinic.api.main``'s handlers (``{"detail": "..."}`` or ``{"detail": [{loc, msg, type}]}``):
  401 and 403 on every operation (no session or token, or a token that may not be used; the role may
  not), 422 on every operation with parameters or a body (ninja's validation, refused text), 400 on every
  operation with a body (not JSON), 404 on every operation that names a record (a path parameter, or a
  uuid in its query or body: unknown or another clinic's ids are 404s, ``main``); and whatever else
  the operation declares itself in its ``response=`` (``core.schemas.errors(404, 409)``), e.g. 409 where a
  stale ``version`` or a state is refused. The fuzzer
  (``make fuzz``) fails on any status an operation answers without documenting it.
* Text the server refuses whatever the field: a NUL character (``core.middleware``). Every request
  string without its own pattern, enum or format says so.
* Request objects list their fields: a body made of other keys is not what the operation reads.

The operations' own constraints (enums, lengths, ranges) are declared on their schemas in each app's
``api.py``; this module only adds what is common to all of them.
"""

from __future__ import annotations

from typing import Any

ERROR_STATUSES: dict[str, str] = {
    "400": "The request body is not JSON.",
    "401": "Not signed in, or the bearer token is unknown, revoked, expired or not usable "
    "(`detail` says which).",
    "403": "Your role may not do this here (or your token lacks the second factor your account needs).",
    "404": "No such record, or it belongs to another clinic or patient.",
    "409": "Conflict: the `version` you sent is stale (`current_version` is the one to read again), or "
    "the record's state no longer allows this.",
    "422": "A field is invalid: each `detail[].loc` names the field and `msg` says what to send instead.",
}

#: No NUL (JSON text may escape one; the server refuses it). Lone surrogates are refused too, but a pattern
#: naming them does not compile in every regex engine (Rust's, behind most validators), so it is left out.
PLAIN_TEXT = "^[^\\u0000]*$"
#: A decimal written as text (pydantic takes a Decimal as a JSON number or as such a string).
DECIMAL_TEXT = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"

ERROR_SCHEMAS: dict[str, Any] = {
    "FieldProblem": {
        "title": "FieldProblem",
        "type": "object",
        "properties": {
            "loc": {
                "title": "Loc",
                "description": 'Where: ["body", field, ...] or ["query", name] or ["path", name].',
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Msg", "type": "string"},
            "type": {"title": "Type", "type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
    "Error": {
        "title": "Error",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
                ],
            },
            "current_version": {
                "title": "Current Version",
                "type": "integer",
                "description": "With a stale-version 409: the record's version now.",
            },
        },
        "required": ["detail"],
    },
}

_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses, the refused-text pattern and the closed request objects (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(ERROR_SCHEMAS)
    seen: set[str] = set()
    for item in schema.get("paths", {}).values():
        for method, op in item.items():
            if method not in _METHODS:
                continue
            responses = op.setdefault("responses", {})
            for status in implicit_errors(op, components) | (ERROR_STATUSES.keys() & responses.keys()):
                responses[status] = {
                    "description": ERROR_STATUSES[status],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            for param in op.get("parameters", []):
                _request(param.get("schema", {}), components, seen)
            for media in op.get("requestBody", {}).get("content", {}).values():
                _request(media.get("schema", {}), components, seen)
    return schema


def implicit_errors(op: dict[str, Any], components: dict[str, Any] | None = None) -> set[str]:
    """The error statuses an operation of this shape can answer whatever it does (module docstring)."""
    params = op.get("parameters", [])
    out = {"401", "403"}
    if params or "requestBody" in op:
        out.add("422")
    if "requestBody" in op:
        out.add("400")
    bodies = [m.get("schema", {}) for m in op.get("requestBody", {}).get("content", {}).values()]
    if any(p.get("in") == "path" for p in params) or any(
        _names_a_record(node, components or {}, set())
        for node in [*(p.get("schema") for p in params), *bodies]
    ):
        out.add("404")
    return out


def _names_a_record(node: Any, components: dict[str, Any], seen: set[str]) -> bool:
    """Whether a request schema takes a record's id (a uuid) anywhere: an unknown one is a 404."""
    if isinstance(node, list):
        return any(_names_a_record(n, components, seen) for n in node)
    if not isinstance(node, dict):
        return False
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return False
        seen.add(name)
        return _names_a_record(components.get(name), components, seen)
    if node.get("format") == "uuid":
        return True
    return any(
        _names_a_record(node.get(key), components, seen)
        for key in ("items", "anyOf", "oneOf", "allOf", "prefixItems")
    ) or any(_names_a_record(sub, components, seen) for sub in (node.get("properties") or {}).values())


def _request(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    """Walk one request schema (following $refs once each)."""
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen and name in components:
            seen.add(name)
            _request(components[name], components, seen)
        return
    if node.get("type") == "string" and not ({"enum", "const", "pattern", "format"} & node.keys()):
        node["pattern"] = PLAIN_TEXT
    if "properties" in node:
        node.setdefault("additionalProperties", False)
        for sub in node["properties"].values():
            _request(sub, components, seen)
    for key in ("items", "additionalProperties", "not"):
        _request(node.get(key), components, seen)
    branches = node.get("anyOf") or []
    if {"number", "string"} <= {b.get("type") for b in branches if isinstance(b, dict)}:
        for b in branches:  # a Decimal: its text form is a number too, not any text
            if b.get("type") == "string":
                b.setdefault("pattern", DECIMAL_TEXT)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in node.get(key, []) or []:
            _request(sub, components, seen)

"""``/fhir/R4/``: metadata, read, search (Bundle with keyset paging links), and the SMART token endpoint.

Every answer is ``application/fhir+json``; every error an OperationOutcome with its status (400 bad or
unknown parameter, 401 no live token, 403 no scope, 404 unknown here, 410 deleted).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from toxinclinic.fhir import audit, importer, search, smart
from toxinclinic.fhir.capability import capability_statement, smart_configuration
from toxinclinic.fhir.outcome import FhirError, error_response, fhir_response

_JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
_STARTED = timezone.now().date().isoformat()


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/R4/")


def _check_format(request: HttpRequest) -> None:
    fmt = request.GET.get("_format")
    if fmt is not None and fmt not in _JSON_FORMATS:
        raise FhirError(406, "not-supported", "This server answers JSON only (_format=json).")


def fhir_view(view: Callable[..., HttpResponse] | None = None, *, methods: tuple[str, ...] = ("GET",)) -> Any:
    """Turn ``FhirError`` into an OperationOutcome; check the method (405) and ``_format`` (406)."""

    def decorate(fn: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(fn)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise FhirError(405, "not-supported", f"Use {' or '.join(methods)} here.")
                _check_format(request)
                return fn(request, *args, **kwargs)
            except FhirError as err:
                resp = error_response(err)
                if err.status == 405:
                    resp["Allow"] = ", ".join(methods)
                return resp

        return csrf_exempt(wrapper)

    return decorate(view) if view is not None else decorate


def require_grant(request: HttpRequest, what: str) -> smart.Grant:
    grant = smart.authenticate(request.headers.get("Authorization", ""))
    if grant is None:
        audit.record_refusal(None, what, "no live access token", 401)
        raise FhirError(401, "login", "A live SMART access token is needed (Authorization: Bearer …).")
    return grant


def _may(grant: smart.Grant, type_name: str, what: str, *, search_: bool) -> None:
    if not grant.may(type_name, search=search_):
        audit.record_refusal(grant, what, "scope", 403)
        raise FhirError(
            403, "forbidden", f"This token has no scope to {'search' if search_ else 'read'} {type_name}."
        )


@fhir_view
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(base_url(request), _STARTED))


@require_GET
def smart_config(request: HttpRequest) -> HttpResponse:
    return JsonResponse(smart_configuration(base_url(request)))


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """OAuth 2.0 token endpoint for SMART Backend Services (form-encoded ``client_credentials``)."""
    try:
        raw, client, scopes = smart.issue_token(request.POST, request.build_absolute_uri())
    except smart.TokenError as err:
        resp = JsonResponse({"error": err.error, "error_description": err.description}, status=err.status)
        resp["Cache-Control"] = "no-store"
        return resp
    audit.record_access_token(client, scopes)
    resp = JsonResponse(
        {
            "access_token": raw,
            "token_type": "bearer",
            "expires_in": smart.TOKEN_SECONDS,
            "scope": " ".join(scopes),
        }
    )
    resp["Cache-Control"] = "no-store"
    return resp


@fhir_view
def read(request: HttpRequest, type_name: str, rid: str) -> HttpResponse:
    what = f"FHIR {type_name}/{rid}"
    search.fhir_type(type_name)
    grant = require_grant(request, what)
    _may(grant, type_name, what, search_=False)
    try:
        res, row = search.read_row(type_name, rid, grant)
    except FhirError as err:
        audit.record_refusal(grant, what, err.code, err.status)
        raise
    audit.record_access(grant, [audit.patient_pk(row)], f"FHIR {type_name} read")
    return fhir_response(res)


@fhir_view
def search_type(request: HttpRequest, type_name: str) -> HttpResponse:
    what = f"FHIR {type_name} search"
    search.fhir_type(type_name)
    grant = require_grant(request, what)
    _may(grant, type_name, what, search_=True)
    query = search.parse(type_name, request.GET)
    if grant.patient_id is not None and "patient" in request.GET:
        own = str(grant.client.patient.public_id)
        if any(
            p != own for v in request.GET.getlist("patient") for p in v.replace("Patient/", "").split(",")
        ):
            audit.record_refusal(grant, what, "another patient", 403)
            raise FhirError(403, "forbidden", "A patient's token sees only that patient.")
    base = base_url(request)
    self_link = f"{base}{type_name}?{request.GET.urlencode()}" if request.GET else f"{base}{type_name}"
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if query.summary_count:
        bundle["total"] = search.total(query, grant)
        bundle["link"] = [{"relation": "self", "url": self_link}]
        return fhir_response(bundle)
    items, cursor = search.page(query, grant)
    entries = [
        {"fullUrl": f"{base}{type_name}/{res['id']}", "resource": res, "search": {"mode": "match"}}
        for _, res in items
    ]
    pks = [audit.patient_pk(row) for row, _ in items]
    if query.include_patient:
        entries += [
            {"fullUrl": f"{base}Patient/{res['id']}", "resource": res, "search": {"mode": "include"}}
            for res in search.patients_of(pks, grant)
        ]
    bundle["link"] = [{"relation": "self", "url": self_link}]
    if cursor:
        params = {k: request.GET.getlist(k) for k in request.GET if k != "_cursor"}
        params["_cursor"] = [cursor]
        bundle["link"].append(
            {"relation": "next", "url": f"{base}{type_name}?{urlencode(params, doseq=True)}"}
        )
    bundle["entry"] = entries
    audit.record_access(grant, pks, f"FHIR {type_name} search")
    return fhir_response(bundle)


@fhir_view(methods=("POST",))
def transaction(request: HttpRequest) -> HttpResponse:
    """POST a transaction or collection Bundle of intake resources (``importer``): all or nothing."""
    what = "FHIR intake import"
    grant = require_grant(request, what)
    try:
        bundle = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError(400, "structure", "The body is not JSON.") from exc
    if not isinstance(bundle, dict):
        raise FhirError(400, "structure", "The body is not a Bundle.")
    entries = bundle.get("entry") or []
    # Only well-formed entries name a type here; the importer refuses the others (and an entry that is
    # not a list) with an OperationOutcome that says which.
    entries = entries if isinstance(entries, list) else []
    resources = [e.get("resource") for e in entries if isinstance(e, dict)]
    named = (r.get("resourceType") for r in resources if isinstance(r, dict))
    types = {t for t in named if isinstance(t, str)}
    refused = sorted(t for t in types if t in importer.SUPPORTED and not grant.may_write(t))
    if refused:
        audit.record_refusal(grant, what, "scope", 403)
        raise FhirError(403, "forbidden", f"This token may not write {', '.join(refused)}.")
    try:
        result = importer.import_bundle(bundle, grant.client.clinic, actor=None)
    except importer.ImportRefused as exc:
        audit.record_refusal(grant, what, "bad bundle", 400)
        return fhir_response(exc.outcome, status=400)
    kind = "transaction-response" if bundle.get("type") == "transaction" else "batch-response"
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": kind,
            "entry": [{"response": {"status": st, "location": loc}} for st, loc in result.entries],
        }
    )


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(FhirError(404, "not-found", "No such FHIR endpoint on this server."))

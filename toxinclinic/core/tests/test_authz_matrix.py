"""Every URL and API operation against every role, anonymous, and another clinic's users.

Route tables live beside each app's tests (``authz_routes.py``); ``test_every_route_is_in_the_matrix``
fails when a new URL pattern or API operation is added without a row.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import toxinclinic
from toxinclinic.core.tests.authz import ALL_ROLES, Route


def _all_routes() -> list[Route]:
    routes: list[Route] = []
    for mod in pkgutil.iter_modules(toxinclinic.__path__):
        try:
            m = importlib.import_module(f"toxinclinic.{mod.name}.tests.authz_routes")
        except ModuleNotFoundError:
            continue
        routes.extend(m.ROUTES)
    return routes


ROUTES = _all_routes()


def fill(path: str, keys: dict[str, str]) -> str:
    return path.format(**keys)


@pytest.fixture
def keys(world: Any) -> dict[str, str]:
    from toxinclinic.patients.models import (
        Allergy,
        HistoryItem,
        Medication,
        PatientIndication,
        PreventiveTrial,
    )

    p = world.patient
    allergy = Allergy.objects.create(patient=p, substance="Peanut", severity="mild")
    out = {
        "patient": str(p.public_id),
        "patient2": str(world.patient2.public_id),
        "other_patient": str(world.other_patient.public_id),
        "allergy": str(allergy.public_id),
        "allergies_record": str(allergy.public_id),
        "indications_record": str(
            PatientIndication.objects.create(
                patient=p, indication="chronic_migraine", icd10="G43.709"
            ).public_id
        ),
        "medications_record": str(
            Medication.objects.create(patient=p, name="Sumatriptan", drug_class="triptan").public_id
        ),
        "history_record": str(HistoryItem.objects.create(patient=p, condition="pregnancy").public_id),
        "preventives_record": str(
            PreventiveTrial.objects.create(
                patient=p, drug="Propranolol", drug_class="beta_blocker", outcome="ineffective"
            ).public_id
        ),
    }
    # Apps register extra fixtures for their own path keys.
    for mod in pkgutil.iter_modules(toxinclinic.__path__):
        try:
            m = importlib.import_module(f"toxinclinic.{mod.name}.tests.authz_routes")
        except ModuleNotFoundError:
            continue
        if hasattr(m, "path_keys"):
            out.update(m.path_keys(world))
    return out


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_matrix(route: Route, role: str, client_as: Any, keys: dict[str, str]) -> None:
    client = client_as(None if role == "anon" else role)
    url = fill(route.path, keys)
    kwargs: dict[str, Any] = {}
    if route.body is not None:
        kwargs = {"data": json.dumps(route.body), "content_type": "application/json"}
    response = getattr(client, route.method.lower())(url, **kwargs)
    expected = route.expected[role]
    assert response.status_code == expected, (
        f"{route.method} {route.path} as {role}: got {response.status_code}, expected {expected}"
    )
    if expected == 404:
        # A refused id never leaks data: the body names no patient.
        body = response.content.decode(errors="replace")
        for name in ("Lovelace", "Hopper", "Somerville"):
            assert name not in body


def _url_names(patterns: Any, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            if p.namespace and (p.namespace.startswith("api-") or p.namespace == "admin"):
                continue  # API operations are checked against the OpenAPI document; admin has its own auth
            names |= _url_names(p.url_patterns, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_route_is_in_the_matrix() -> None:
    from toxinclinic.api.main import api

    covered = {r.name for r in ROUTES}
    missing_urls = _url_names(get_resolver().url_patterns) - covered
    assert not missing_urls, f"URL names without an authorization row: {sorted(missing_urls)}"
    schema = api.get_openapi_schema()
    op_ids = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    missing_ops = {f"api:{o}" for o in op_ids} - covered
    assert not missing_ops, f"API operations without an authorization row: {sorted(missing_ops)}"

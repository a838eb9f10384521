"""A database that is away (restarting, unreachable) is a 503 with Retry-After and the app's own page or
error JSON, never the 500 page or a traceback; any other fault is still the 500 page. The crash suite
(crash/test_postgres_restart.py) checks the same against a real PostgreSQL restart."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from toxinclinic.urls import handler500  # noqa: F401 (this test urlconf serves the app's handler)
from toxinclinic.urls import urlpatterns as app_urls


def _db_down(request: Any) -> None:
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def _closed(request: Any) -> None:
    raise InterfaceError("connection already closed")


def _boom(request: Any) -> None:
    raise RuntimeError("a fault on purpose")


urlpatterns = [
    path("test-db-down/", _db_down),
    path("api/v1/test-db-down", _db_down),
    path("fhir/R4/test-db-down", _closed),
    path("test-boom/", _boom),
    *app_urls,
]


@pytest.fixture
def client(settings: Any) -> Client:
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.urls("toxinclinic.core.tests.test_database_unavailable")
def test_a_database_outage_is_a_503_in_the_callers_form(client: Client) -> None:
    r = client.get("/test-db-down/")
    body = r.content.decode()
    assert r.status_code == 503 and r["Retry-After"] == "10"
    assert "Back in a moment" in body and "Nothing you entered on this page was saved" in body
    assert "Traceback" not in body and "Connection refused" not in body and "127.0.0.1" not in body
    r = client.post("/api/v1/test-db-down", data="{}", content_type="application/json")
    assert r.status_code == 503 and r.json()["detail"].startswith("The clinic's database cannot be reached")
    r = client.get("/fhir/R4/test-db-down")
    assert r.status_code == 503 and r["Content-Type"] == "application/fhir+json"
    assert r.json()["resourceType"] == "OperationOutcome" and r.json()["issue"][0]["code"] == "transient"


@pytest.mark.django_db
@pytest.mark.urls("toxinclinic.core.tests.test_database_unavailable")
def test_other_faults_are_still_the_500_page(client: Client) -> None:
    r = client.get("/test-boom/")
    assert r.status_code == 500 and "Something went wrong" in r.content.decode()
    assert "Retry-After" not in r

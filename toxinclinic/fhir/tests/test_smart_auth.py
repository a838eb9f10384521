"""SMART Backend Services: the token endpoint refuses what it must, and every FHIR answer respects the
client's clinic, patient and scopes, each refusal audited."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.fhir.tests.helpers import TOKEN_PATH, full_chart, get_token, make_client, token_form

AUD = f"http://testserver{TOKEN_PATH}"


def auth(tok: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tok}"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["EC", "RSA"])
def test_token_with_signed_assertion_then_read(world: Any, client: Any, kind: str) -> None:
    c, key = make_client(world.clinic, kind=kind)
    r = client.post(TOKEN_PATH, token_form(c, key, AUD))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] <= 300 and body["scope"] == "system/*.read"
    got = client.get(f"/fhir/R4/Patient/{world.patient.public_id}", **auth(body["access_token"]))
    assert got.status_code == 200
    assert got.json()["id"] == str(world.patient.public_id)
    ev = AuditEvent.objects.filter(action="chart.viewed", patient_id=world.patient.pk).first()
    assert ev is not None and ev.data["client"] == str(c.public_id)


@pytest.mark.django_db
def test_replayed_expired_wrong_audience_and_wrong_key_assertions_are_refused(
    world: Any, client: Any
) -> None:
    c, key = make_client(world.clinic)
    form = token_form(c, key, AUD, jti="once")
    assert client.post(TOKEN_PATH, form).status_code == 200
    replay = client.post(TOKEN_PATH, form)
    assert replay.status_code == 401 and "replayed" in replay.json()["error_description"]
    assert client.post(TOKEN_PATH, token_form(c, key, AUD, exp_in=-60)).status_code == 401
    assert client.post(TOKEN_PATH, token_form(c, key, AUD, exp_in=3600)).status_code == 401
    assert client.post(TOKEN_PATH, token_form(c, key, "http://elsewhere/token")).status_code == 401
    _, other_key = make_client(world.clinic, name="other")
    assert client.post(TOKEN_PATH, token_form(c, other_key, AUD)).status_code == 401
    bad_grant = {**token_form(c, key, AUD), "grant_type": "password"}
    assert client.post(TOKEN_PATH, bad_grant).status_code == 400


@pytest.mark.django_db
def test_write_scopes_are_never_granted(world: Any, client: Any) -> None:
    c, key = make_client(world.clinic)
    r = client.post(TOKEN_PATH, token_form(c, key, AUD, scope="system/*.write"))
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    r = client.post(TOKEN_PATH, token_form(c, key, AUD, scope="system/Patient.rs system/Patient.cud"))
    assert r.json()["scope"] == "system/Patient.rs"


@pytest.mark.django_db
def test_no_token_is_401_operation_outcome(world: Any, client: Any) -> None:
    r = client.get("/fhir/R4/Patient")
    assert r.status_code == 401 and r.json()["resourceType"] == "OperationOutcome"
    assert client.get("/fhir/R4/Patient", **auth("fhir_nope")).status_code == 401


@pytest.mark.django_db
def test_another_clinics_client_sees_nothing_and_is_audited(world: Any, client: Any) -> None:
    full_chart(world)
    c, key = make_client(world.other_clinic)
    tok = get_token(client, c, key)
    r = client.get(f"/fhir/R4/Patient/{world.patient.public_id}", **auth(tok))
    assert r.status_code == 404 and r.json()["resourceType"] == "OperationOutcome"
    listed = client.get("/fhir/R4/Condition", {"patient": str(world.patient.public_id)}, **auth(tok)).json()
    assert listed.get("entry", []) == []
    assert AuditEvent.objects.filter(action="fhir.refused", clinic_id=world.other_clinic.pk).exists()
    assert not AuditEvent.objects.filter(action="chart.viewed", patient_id=world.patient.pk).exists()


@pytest.mark.django_db
def test_patient_token_sees_only_that_patient(world: Any, client: Any) -> None:
    full_chart(world)
    c, key = make_client(world.clinic, scopes="patient/*.read", patient=world.patient2)
    tok = get_token(client, c, key, scope="patient/*.read")
    assert client.get(f"/fhir/R4/Patient/{world.patient.public_id}", **auth(tok)).status_code == 404
    r = client.get("/fhir/R4/Observation", {"patient": str(world.patient.public_id)}, **auth(tok))
    assert r.status_code == 403
    everything = client.get("/fhir/R4/Patient", **auth(tok)).json()
    assert [e["resource"]["id"] for e in everything["entry"]] == [str(world.patient2.public_id)]
    assert client.get("/fhir/R4/Condition", **auth(tok)).json().get("entry", []) == []
    assert AuditEvent.objects.filter(action="fhir.refused", patient_id=world.patient2.pk).count() == 2
    # A patient's client cannot get system scopes.
    r = client.post(TOKEN_PATH, token_form(c, key, AUD, scope="system/*.read"))
    assert r.status_code == 400


@pytest.mark.django_db
def test_token_without_the_types_scope_is_403(world: Any, client: Any) -> None:
    full_chart(world)
    c, key = make_client(world.clinic, scopes="system/Patient.read")
    tok = get_token(client, c, key, scope="system/Patient.read")
    r = client.get("/fhir/R4/Condition", **auth(tok))
    assert r.status_code == 403 and r.json()["issue"][0]["code"] == "forbidden"
    assert AuditEvent.objects.filter(action="fhir.refused", data__reason="scope").exists()
    assert client.get("/fhir/R4/Patient", **auth(tok)).status_code == 200


@pytest.mark.django_db
def test_an_expired_token_or_a_deactivated_client_is_401(world: Any, client: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from toxinclinic.fhir.models import AccessToken

    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)
    path = f"/fhir/R4/Patient/{world.patient.public_id}"
    assert client.get(path, **auth(tok)).status_code == 200
    AccessToken.objects.filter(digest=AccessToken.hash(tok)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(path, **auth(tok)).status_code == 401
    tok2 = get_token(client, c, key)
    assert client.get(path, **auth(tok2)).status_code == 200
    c.active = False
    c.save()
    assert client.get(path, **auth(tok2)).status_code == 401

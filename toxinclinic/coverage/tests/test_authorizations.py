"""Prior authorizations move drafted → submitted → approved/denied → appealed, with field errors for what
an approval or denial needs; the payer rule scheduling reads; visits left counted from signed sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.coordinator.tests.clinic import session
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.coverage import services
from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def test_lifecycle_and_visits_left(world: Any) -> None:
    actor = world.user("coordinator")
    a = services.record_authorization(world.patient, actor=actor, payer="Acme Health")
    assert a.status == AuthStatus.DRAFTED
    a = services.move_authorization(a, AuthStatus.SUBMITTED, actor=actor, version=a.version)
    with pytest.raises(FieldError) as e:
        services.move_authorization(a, AuthStatus.APPROVED, actor=actor)
    assert {"units_per_session", "visits_approved", "starts_on", "ends_on"} <= set(e.value.errors)
    a = services.move_authorization(
        a,
        AuthStatus.APPROVED,
        actor=actor,
        units_per_session=155,
        visits_approved=2,
        starts_on=today() - dt.timedelta(days=100),
        ends_on=today() + dt.timedelta(days=100),
    )
    session(world.patient, 90)
    session(world.patient, 200)  # before the approval: not counted
    assert services.visits_left(a, services.session_dates(world.patient.pk)) == 1
    with pytest.raises(FieldError, match="status"):
        services.move_authorization(a, AuthStatus.DENIED, actor=actor)
    with pytest.raises(Conflict):
        services.move_authorization(a, AuthStatus.APPROVED, actor=actor, version=1)


def test_denial_needs_a_reason_and_may_be_appealed(world: Any) -> None:
    actor = world.user("coordinator")
    a = services.record_authorization(world.patient, actor=actor, payer="Acme", status=AuthStatus.SUBMITTED)
    with pytest.raises(FieldError, match="denial_reason"):
        services.move_authorization(a, AuthStatus.DENIED, actor=actor)
    a = services.move_authorization(a, AuthStatus.DENIED, actor=actor, denial_reason="Baseline too short")
    a = services.move_authorization(a, AuthStatus.APPEALED, actor=actor)
    assert a.status == AuthStatus.APPEALED and a.denial_reason == "Baseline too short"


def test_bad_input_stores_nothing(world: Any) -> None:
    with pytest.raises(FieldError) as e:
        services.record_authorization(
            world.patient,
            actor=world.user("coordinator"),
            payer=" ",
            status=AuthStatus.APPROVED,
            units_per_session=5000,
            visits_approved=2,
            starts_on=today(),
            ends_on=today() - dt.timedelta(days=1),
        )
    assert {"payer", "units_per_session", "ends_on"} <= set(e.value.errors)
    assert not PriorAuthorization.objects.exists()


def test_payer_policy(world: Any, settings: Any) -> None:
    p = services.payer_policy(world.patient)
    assert (p.min_interval_days, p.forbids_early) == (84, False)  # nothing on record
    services.record_authorization(
        world.patient,
        actor=None,
        payer="Acme Health",
        status=AuthStatus.APPROVED,
        units_per_session=155,
        visits_approved=2,
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=180),
    )
    assert services.payer_policy(world.patient).forbids_early is True
    settings.TOXINCLINIC_PAYER_RULES = {"Acme Health": {"min_interval_days": 90, "forbids_early": False}}
    p = services.payer_policy(world.patient)
    assert (p.payer, p.min_interval_days, p.forbids_early) == ("Acme Health", 90, False)


def test_screen_records_and_moves(world: Any, client_as: Any) -> None:
    c = client_as("coordinator")
    url = f"/coverage/patients/{world.patient.public_id}/"
    assert c.post(url, {"payer": "Acme Health", "status": "submitted"}).status_code == 302
    a = PriorAuthorization.objects.get()
    r = c.post(
        url,
        {"auth": str(a.public_id), "version": a.version, "status": "approved", "units_per_session": "155"},
    )
    assert r.status_code == 400 and "An approval needs" in r.content.decode()
    assert client_as("patient").get(url).status_code in (403, 404)
    assert client_as("other_clinician").get(url).status_code == 404


def test_api(world: Any, client_as: Any) -> None:
    c = client_as("coordinator")
    base = f"/api/v1/coverage/patients/{world.patient.public_id}"
    r = c.post(
        f"{base}/authorizations",
        {"payer": "Acme Health", "status": "submitted"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status_label"] == "Submitted"
    aid, version = r.json()["id"], r.json()["version"]
    bad = c.post(
        f"{base}/authorizations/{aid}/status",
        {"status": "approved", "version": version},
        content_type="application/json",
    )
    assert bad.status_code == 422 and any("units_per_session" in str(e["loc"]) for e in bad.json()["detail"])
    body = {"status": "approved", "version": version, "units_per_session": 155, "visits_approved": 2}
    body |= {"starts_on": today().isoformat(), "ends_on": (today() + dt.timedelta(days=180)).isoformat()}
    ok = c.post(f"{base}/authorizations/{aid}/status", body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["visits_left"] == 2
    stale = c.post(
        f"{base}/authorizations/{aid}/status", {**body, "status": "denied"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert c.get(f"{base}/packet").json()["authorization"]["payer"] == "Acme Health"
    assert client_as("other_clinician").get(f"{base}/packet").status_code == 404

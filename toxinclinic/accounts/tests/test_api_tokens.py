"""API tokens are issued only by their owner, after the owner's second factor where one is required."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from toxinclinic.accounts.models import ApiToken
from toxinclinic.audit.models import AuditEvent

AUDIT = "/api/v1/audit/events"


def _bearer(raw: str, path: str = AUDIT) -> Any:
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _sign_in(username: str, device: TOTPDevice | None = None) -> Client:
    """A browser session; with ``device``, one that has passed the second factor."""
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    if device is not None:
        r = client.post("/accounts/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
        assert r.status_code == 302, r.content.decode()[:500]
    return client


def _device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)


def _issue_on_screen(client: Client, name: str = "my script", **extra: Any) -> str:
    r = client.post("/accounts/api-tokens/", {"name": name, "days": 90, **extra})
    assert r.status_code == 200, r.content.decode()[:800]
    assert r["Cache-Control"] == "no-store"
    raw = re.search(r'id="raw-token">(tc_[\w-]+)<', r.content.decode())
    assert raw
    return raw.group(1)


def test_no_one_issues_a_token_in_the_admin(world: Any, client_as: Any) -> None:
    admin = client_as("admin")
    assert admin.get("/admin/accounts/apitoken/add/").status_code == 403
    r = admin.post("/admin/accounts/apitoken/add/", {"user": world.user("nurse").pk, "name": "EHR"})
    assert r.status_code == 403
    assert not ApiToken.objects.exists()
    assert "/admin/accounts/apitoken/add/" not in admin.get("/admin/accounts/apitoken/").content.decode()


def test_no_api_operation_issues_tokens(world: Any) -> None:
    from toxinclinic.api.main import api

    paths = api.get_openapi_schema()["paths"]
    assert not [p for p in paths if "token" in p.lower()]


def test_the_screen_issues_a_token_only_to_the_signed_in_person(world: Any, client_as: Any) -> None:
    admin = client_as("admin")
    # A "user" field smuggled into the form is ignored: the token is the poster's own.
    raw = _issue_on_screen(admin, user=world.user("clinician").pk)
    token = ApiToken.objects.get()
    assert token.user_id == token.issued_by_id == world.user("admin").pk
    assert token.digest == ApiToken.hash(raw) and token.expires_at > timezone.now() + dt.timedelta(days=89)
    assert _bearer(raw, "/api/v1/me").json()["username"] == "admin"
    [ev] = AuditEvent.objects.filter(action="api_token.issued")
    assert ev.actor_id == world.user("admin").pk and ev.data["second_factor"] is False
    # The page lists it without the secret.
    page = admin.get("/accounts/api-tokens/").content.decode()
    assert "my script" in page and token.prefix in page and raw not in page


def test_database_refuses_a_live_token_issued_by_someone_else(world: Any) -> None:
    token = ApiToken(user=world.user("clinician"), issued_by=world.user("admin"), name="x")
    token.set_secret()
    with pytest.raises(IntegrityError), transaction.atomic():
        token.save()


def test_unverified_session_may_not_issue(world: Any, settings: Any) -> None:
    settings.TOXINCLINIC_REQUIRE_ADMIN_2FA = True
    _device(world.user("admin"))
    client = _sign_in("admin")
    page = client.get("/accounts/api-tokens/")
    assert page.status_code == 200 and "Verify your code" in page.content.decode()
    assert client.post("/accounts/api-tokens/", {"name": "x", "days": 30}).status_code == 403
    # A patient who enrolled a device is held to it too.
    _device(world.user("patient"))
    assert _sign_in("patient").post("/accounts/api-tokens/", {"name": "x", "days": 30}).status_code == 403
    assert not ApiToken.objects.exists()


def test_admin_held_to_two_factor_is_refused_with_a_token_issued_without_it(
    world: Any, settings: Any
) -> None:
    admin = world.user("admin")
    _token, before = ApiToken.issue(admin, "before 2FA")
    assert _bearer(before).status_code == 200  # not yet required of this admin
    settings.TOXINCLINIC_REQUIRE_ADMIN_2FA = True
    r = _bearer(before)
    assert r.status_code == 403 and "issued without it" in r.json()["detail"]
    [ev] = AuditEvent.objects.filter(action="api_token.refused")
    assert ev.actor_id == admin.pk and ev.data["status"] == 403
    # The same admin, after their second factor, issues one that works.
    raw = _issue_on_screen(_sign_in("admin", _device(admin)))
    assert _bearer(raw).status_code == 200
    assert ApiToken.objects.get(digest=ApiToken.hash(raw)).second_factor
    # Enrolling a device also retires a staff member's earlier tokens.
    _t, nurse_raw = ApiToken.issue(world.user("nurse"), "before")
    assert _bearer(nurse_raw, "/api/v1/me").status_code == 200
    # A device still being set up (not confirmed) changes nothing; a confirmed one does.
    half = TOTPDevice.objects.create(user=world.user("nurse"), name="Setting up", confirmed=False)
    assert _bearer(nurse_raw, "/api/v1/me").status_code == 200
    half.delete()
    _device(world.user("nurse"))
    assert _bearer(nurse_raw, "/api/v1/me").status_code == 403


def test_expired_token_is_refused(world: Any) -> None:
    _t, raw = ApiToken.issue(world.user("admin"), "old", expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = _bearer(raw)
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_owner_revokes_their_token_and_no_one_else_s(world: Any, client_as: Any) -> None:
    mine, raw = ApiToken.issue(world.user("nurse"), "mine")
    theirs, their_raw = ApiToken.issue(world.user("clinician"), "theirs")
    nurse = client_as("nurse")
    assert nurse.post("/accounts/api-tokens/revoke/", {"token": theirs.pk}).status_code == 404
    r = nurse.post("/accounts/api-tokens/revoke/", {"token": mine.pk})
    assert r.status_code == 302
    assert _bearer(raw, "/api/v1/me").status_code == 401
    assert _bearer(their_raw, "/api/v1/me").status_code == 200
    [ev] = AuditEvent.objects.filter(action="api_token.revoked")
    assert ev.actor_id == world.user("nurse").pk and ev.object_id == str(mine.pk)


def test_clinic_admin_lists_and_revokes_own_clinic_tokens_audited(world: Any, client_as: Any) -> None:
    nurse_token, raw = ApiToken.issue(world.user("nurse"), "EHR")
    other, other_raw = ApiToken.issue(world.user("other_clinician"), "elsewhere")
    admin = client_as("admin")
    listing = admin.get("/admin/accounts/apitoken/").content.decode()
    assert "EHR" in listing and "elsewhere" not in listing
    for token in (nurse_token, other):
        admin.post(
            "/admin/accounts/apitoken/",
            {"action": "revoke_tokens", "_selected_action": [token.pk], "index": 0},
        )
    assert _bearer(raw, "/api/v1/me").status_code == 401
    assert _bearer(other_raw, "/api/v1/me").status_code == 200  # another clinic's: out of reach
    [ev] = AuditEvent.objects.filter(action="api_token.revoked")
    assert ev.actor_id == world.user("admin").pk and ev.data["owner"] == "nurse"


@pytest.mark.django_db(transaction=True)
def test_migration_revokes_tokens_not_issued_by_their_owner(world: Any, settings: Any) -> None:
    """Tokens from before this change: kept only where the trail shows the owner issued them."""
    executor = MigrationExecutor(connection)
    # Every app's leaf: going back to accounts 0001 also unapplies the apps whose migrations depend on
    # later accounts migrations (scheduling, treatment, …); all of them must come back afterwards.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("accounts", "0001_initial")])
    try:
        old = executor.loader.project_state([("accounts", "0001_initial")]).apps
        OldToken = old.get_model("accounts", "ApiToken")
        admin, nurse = world.user("admin"), world.user("nurse")
        made = {}
        for label, owner, issuer in (
            ("for nurse", nurse, admin),
            ("own", admin, admin),
            ("shell", nurse, None),
        ):
            raw = f"tc_{label.replace(' ', '_')}_0123456789"
            row = OldToken.objects.create(
                user_id=owner.pk, name=label, prefix=raw[:8], digest=ApiToken.hash(raw)
            )
            made[label] = raw
            if issuer is not None:
                AuditEvent.objects.create(
                    action="api_token.issued",
                    actor_id=issuer.pk,
                    object_type="accounts.apitoken",
                    object_id=str(row.pk),
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    assert _bearer(made["for nurse"], "/api/v1/me").status_code == 401
    assert _bearer(made["shell"], "/api/v1/me").status_code == 401
    own = ApiToken.objects.get(name="own")
    assert own.revoked_at is None and own.issued_by_id == world.user("admin").pk
    assert _bearer(made["own"]).status_code == 200
    settings.TOXINCLINIC_REQUIRE_ADMIN_2FA = True  # issued before any second factor: refused once required
    assert _bearer(made["own"]).status_code == 403
    revoked = AuditEvent.objects.filter(action="api_token.revoked").values_list("data", flat=True)
    assert sorted(d["name"] for d in revoked) == ["for nurse", "shell"]

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD
from toxinclinic.accounts.models import Invitation, User


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(db: Any) -> None:
    hashed = make_password("a long passphrase 1")
    assert hashed.startswith("argon2$")
    assert check_password("a long passphrase 1", hashed)


def test_production_settings_use_argon2_first() -> None:
    from toxinclinic import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_failed_login_shows_an_error(world: Any, client: Any) -> None:
    r = client.post("/accounts/login/", {"username": "nurse", "password": "wrong"})
    assert r.status_code == 400
    assert "do not match" in r.content.decode()


def test_lockout_after_repeated_failures(world: Any, client: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "nurse", "password": "wrong"})
    # Even the right password is refused while locked.
    r = client.post("/accounts/login/", {"username": "nurse", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed sign-in attempts" in r.content.decode()


def test_role_logins_land_on_home(world: Any, client: Any) -> None:
    r = client.post("/accounts/login/", {"username": "clinician", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/home/"


@pytest.mark.django_db(transaction=True)
def test_invite_email_goes_through_the_real_worker_then_password_is_set_once(
    world: Any, client_as: Any, client: Any
) -> None:
    from conftest import make_patient

    p = make_patient(world.clinic, "A009", "Nell", "Invitee")
    r = client_as("nurse").post(f"/patients/{p.public_id}/invite/")
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.user is not None and not p.user.has_usable_password()
    assert mail.outbox == []  # queued, not sent in the request
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    [msg] = mail.outbox
    assert msg.to == ["nell@example.net"]
    link = re.search(r"/accounts/invite/([\w-]+)/", msg.body)
    assert link
    client.logout()
    page = client.get(link.group(0))
    assert page.status_code == 200 and p.user.username in page.content.decode()
    bad = client.post(link.group(0), {"new_password1": "short", "new_password2": "short"})
    assert bad.status_code == 400
    ok = client.post(
        link.group(0), {"new_password1": "a sturdy passphrase", "new_password2": "a sturdy passphrase"}
    )
    assert ok.status_code == 302
    assert User.objects.get(pk=p.user.pk).check_password("a sturdy passphrase")
    assert Invitation.objects.get(user=p.user).used_at is not None
    client.logout()
    assert client.get(link.group(0)).status_code == 404  # one-time


def test_admin_must_enrol_totp_when_required(world: Any, client: Any, settings: Any) -> None:
    settings.TOXINCLINIC_REQUIRE_ADMIN_2FA = True
    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    r = client.get("/home/")
    assert r.status_code == 302 and r["Location"] == "/accounts/two-factor/"
    page = client.get("/accounts/two-factor/")
    assert "Set up your authenticator" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.user("admin"))
    assert client.post("/accounts/two-factor/", {"token": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles after a failure; the next try would wait a second
    r = client.post("/accounts/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert r.status_code == 302
    assert client.get("/home/").status_code == 200
    # The API refuses an unverified session of such a user too.
    client.logout()
    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert client.get("/api/v1/me").status_code == 401


def test_bearer_token_auth(world: Any, client: Any) -> None:
    from toxinclinic.accounts.models import ApiToken

    _t, raw = ApiToken.issue(world.user("clinician"), "ehr")
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and r.json()["role"] == "clinician"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer tc_wrong").status_code == 401

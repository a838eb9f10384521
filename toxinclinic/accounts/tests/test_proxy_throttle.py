"""Login throttling sees the real client behind a trusted reverse proxy, and only then trusts the header.

The settings are computed by running ``toxinclinic/settings.py`` afresh with the environment a deployment
would set, so the test covers the environment-to-setting mapping as well as axes' use of it.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import toxinclinic
from conftest import PASSWORD

PROXY = "10.0.0.2"  # the reverse proxy's own address: REMOTE_ADDR for every request
# What axes and ipware use when the settings module leaves a key out.
_DEFAULTS = {
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
    "AXES_IPWARE_PROXY_COUNT": None,
    "AXES_IPWARE_PROXY_ORDER": "left-most",
    "IPWARE_STRICT": None,
}


def _apply_env(monkeypatch: Any, settings: Any, **env: str) -> None:
    for name in ("TOXINCLINIC_TRUSTED_PROXY_COUNT", "TOXINCLINIC_TRUSTED_PROXY_HEADER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    fresh = runpy.run_path(str(Path(toxinclinic.__file__).parent / "settings.py"))
    for key, default in _DEFAULTS.items():
        setattr(settings, key, fresh.get(key, default))


def _fail_until_locked(client: Client, limit: int, **headers: str) -> None:
    for _ in range(limit):
        client.post("/accounts/login/", {"username": "nurse", "password": "wrong"}, **headers)


def _sign_in(forwarded_for: str, header: str = "HTTP_X_FORWARDED_FOR") -> int:
    r = Client(REMOTE_ADDR=PROXY).post(
        "/accounts/login/", {"username": "nurse", "password": PASSWORD}, **{header: forwarded_for}
    )
    return r.status_code


def test_two_clients_behind_a_trusted_proxy_are_throttled_apart(
    world: Any, settings: Any, monkeypatch: Any
) -> None:
    _apply_env(monkeypatch, settings, TOXINCLINIC_TRUSTED_PROXY_COUNT="1")
    attacker = Client(REMOTE_ADDR=PROXY)
    # The attacker also writes a fake address of their own: the proxy appends the real one on the right.
    _fail_until_locked(
        attacker, settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5"
    )
    assert _sign_in("203.0.113.5") == 429  # the attacker's real address is locked
    assert _sign_in("198.51.100.9, 203.0.113.5") == 429  # whatever they write in front of it
    assert _sign_in("198.51.100.9") == 302  # another client of the same proxy still signs in


def test_two_proxies_take_the_second_address_from_the_right(
    world: Any, settings: Any, monkeypatch: Any
) -> None:
    _apply_env(
        monkeypatch,
        settings,
        TOXINCLINIC_TRUSTED_PROXY_COUNT="2",
        TOXINCLINIC_TRUSTED_PROXY_HEADER="X-Real-Chain",
    )
    _fail_until_locked(
        Client(REMOTE_ADDR=PROXY), settings.AXES_FAILURE_LIMIT, HTTP_X_REAL_CHAIN="203.0.113.5, 192.0.2.1"
    )
    assert _sign_in("203.0.113.5, 192.0.2.1", "HTTP_X_REAL_CHAIN") == 429
    assert _sign_in("198.51.100.9, 192.0.2.1", "HTTP_X_REAL_CHAIN") == 302


@pytest.mark.parametrize("env", [{}, {"TOXINCLINIC_TRUSTED_PROXY_COUNT": "0"}])
def test_without_a_trusted_proxy_the_header_is_ignored(
    world: Any, settings: Any, monkeypatch: Any, env: dict[str, str]
) -> None:
    _apply_env(monkeypatch, settings, **env)
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
    _fail_until_locked(
        Client(REMOTE_ADDR=PROXY), settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    # A different header value from the same address does not escape the lockout.
    assert _sign_in("198.51.100.9") == 429

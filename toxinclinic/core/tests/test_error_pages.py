"""The app's own 404 and 500 pages (never Django's debug page), a favicon and robots.txt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import path

from toxinclinic.urls import urlpatterns as app_urls

ROOT = Path(__file__).resolve().parents[3]


def _boom(request: Any) -> None:
    raise RuntimeError("a fault on purpose")


urlpatterns = [*app_urls, path("test-boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.urls("toxinclinic.core.tests.test_error_pages")
def test_404_and_500_are_the_apps_own_pages(settings: Any) -> None:
    settings.DEBUG = False
    c = Client(raise_request_exception=False)
    r = c.get("/no-such-page/")
    assert r.status_code == 404 and "Not found" in r.content.decode() and "Toxin Clinic" in r.content.decode()
    r = c.get("/test-boom/")
    body = r.content.decode()
    assert r.status_code == 500 and "Something went wrong" in body
    assert "Traceback" not in body and "a fault on purpose" not in body and "DEBUG" not in body


@pytest.mark.django_db
def test_favicon_and_robots() -> None:
    c = Client()
    r = c.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/x-icon"
    assert b"".join(r.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    r = c.get("/robots.txt")
    text = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    assert "Disallow: /patients/" in text and "Allow: /treatments/" in text and "Sitemap: " in text
    page = c.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page


def test_the_demo_script_does_not_turn_debug_on() -> None:
    """`make demo` serves the public: its environment leaves DEBUG off, so errors show the app's pages."""
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert 'DEBUG="${DEBUG:-1}"' not in script
    env = {"TOXINCLINIC_DEV": "1", "PATH": "/usr/bin:/bin", "TOXINCLINIC_VAR": str(ROOT / "var")}
    for line in script.splitlines():
        if line.startswith("export ") and "DEBUG=" in line:
            for part in line.split()[1:]:
                k, _, v = part.partition("=")
                env[k] = v.strip('"').replace("${DEBUG:-0}", "0").replace("${DEBUG:-1}", "1")
    out = subprocess.run(
        [sys.executable, "-c", "import toxinclinic.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"

"""Each demo role signs in through Chromium and lands on its own home screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from conftest import browser_login
from toxinclinic.demo.core import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    "admin": "Harbour Neurology Clinic",
    "nurse": "Find a patient",
    "clinician": "Find a patient",
    "injector": "Find a patient",
    "coordinator": "Find a patient",
    "patient": "Hello, Maya",
}


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo_seed", patients=8, seed=7)
    return live_server.url


@pytest.mark.parametrize("username", list(HOMES))
def test_demo_role_lands_on_home(page: Page, demo: str, username: str, screenshot_dir: Path) -> None:
    browser_login(page, demo, username, DEMO_PASSWORD, lands_home=False)
    expect(page).to_have_url(f"{demo}/home/")
    expect(page.locator("main")).to_contain_text(HOMES[username])
    page.screenshot(path=str(screenshot_dir / f"home-{username}.png"), full_page=True)
    if username == "patient":
        expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    else:
        expect(page.get_by_text("Sign out")).to_be_visible()


def test_failed_login_shows_error(page: Page, demo: str, screenshot_dir: Path) -> None:
    browser_login(page, demo, "nurse", "not the password", lands_home=False)
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(f"{demo}/accounts/login/")
    page.screenshot(path=str(screenshot_dir / "login-failed.png"))


def test_nurse_finds_patient_and_opens_chart(page: Page, demo: str, screenshot_dir: Path) -> None:
    browser_login(page, demo, "nurse", DEMO_PASSWORD, lands_home=False)
    page.get_by_label("Search by name or MRN").fill("hart")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Hart, Maya").click()
    expect(page.get_by_role("heading", name="Maya Hart")).to_be_visible()
    expect(page.locator("#preventives")).to_contain_text("Topiramate")
    page.screenshot(path=str(screenshot_dir / "chart-nurse.png"), full_page=True)

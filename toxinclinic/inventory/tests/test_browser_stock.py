"""Stock, recall list, billing and the home panel in Chromium, on the demo data (desktop and a phone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from conftest import browser_login
from toxinclinic.demo.core import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo_seed", patients=30, seed=3)
    return live_server.url


def _axe(page: Page, name: str) -> None:
    bad = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)


def test_coordinator_and_nurse_screens(page: Page, demo: str, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(page, demo, "coordinator", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Today's visits")).to_be_visible()
    expect(page.get_by_role("heading", name="Stock expiring within 30 days")).to_be_visible()
    expect(page.locator("main")).to_contain_text("C7415B")
    page.screenshot(path=str(screenshot_dir / "stock-1-home-coordinator.png"), full_page=True)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Recall").click()
    expect(page.get_by_role("heading", name="Recall list")).to_be_visible()
    expect(page.locator("table")).to_be_visible()
    _axe(page, "recall list")
    page.screenshot(path=str(screenshot_dir / "stock-2-recalls.png"), full_page=True)
    nav.get_by_role("link", name="Billing").click()
    expect(page.locator("table")).to_contain_text("J0585")
    _axe(page, "billing")
    page.screenshot(path=str(screenshot_dir / "stock-3-billing.png"), full_page=True)
    nav.get_by_role("link", name="Inventory").click()
    expect(page.get_by_role("link", name="Receive vials")).to_have_count(0)  # coordinators view only
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, demo, "nurse", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inventory").click()
    alert = page.locator("section.concern")
    expect(alert).to_contain_text("lot C7415B")
    expect(page.locator("tr.expiring").first).to_contain_text("≤ 30 days")
    _axe(page, "stock")
    page.screenshot(path=str(screenshot_dir / "stock-4-inventory.png"), full_page=True)
    page.get_by_role("link", name="Reconcile a count").click()
    expect(page.get_by_role("heading", name="Reconcile a stock count")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "stock-5-reconcile.png"), full_page=True)

    # A draft visit on a phone: the map and the totals stack and stay readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Visits").click()
    page.locator("main table a").first.click()
    page.get_by_role("link", name="3–4 Protocol and chart").click()
    page.get_by_label("Template").select_option(index=0)
    page.get_by_role("button", name="Prefill sites").click()
    expect(page.locator("svg.inj-map a.site").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "stock-6-chart-phone.png"), full_page=True)

"""The screens this work changed, in Chromium on a phone (390x844) and a desktop (1280x900), on the US demo:
the patient's trends, the staff diary view, the recall list and the audit screen. Screenshots are saved
under var/test-output/screenshots; axe-core finds no serious or critical violation on any of them."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from conftest import browser_login
from toxinclinic.demo.core import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo_seed", patients=12, seed=5, stdout=io.StringIO())
    return live_server.url


def _serious(page: Page) -> list[dict[str, Any]]:
    violations = Axe().run(page).response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _no_sideways_scroll(page: Page) -> None:
    over = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert over <= 0, f"the page scrolls sideways by {over} px"


def _check(page: Page, shot: Path) -> None:
    _no_sideways_scroll(page)
    page.screenshot(path=str(shot), full_page=True)
    assert _serious(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_patient_trends(page: Page, demo: str, size: str, screenshot_dir: Path) -> None:
    page.set_viewport_size(SIZES[size])
    browser_login(page, demo, "patient", DEMO_PASSWORD)
    page.goto(f"{demo}/diary/trends/")
    expect(page.get_by_role("heading", name="Before treatment and now")).to_be_visible()
    img = page.locator(".chart img")
    expect(img).to_be_visible()
    page.wait_for_function("() => document.querySelector('.chart img').complete")
    # Chart labels at least 12 px as drawn: the SVG's font size times the scale it is shown at.
    svg = page.request.get(demo + img.get_attribute("src")).text()
    view_w = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', svg).group(1))
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes, "the chart has text"
    shown_w = img.evaluate("el => el.getBoundingClientRect().width")
    assert min(sizes) * shown_w / view_w >= 12, (min(sizes), shown_w, view_w)
    text = page.locator("main").inner_text()
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    _check(page, screenshot_dir / f"trends-{size}.png")


@pytest.mark.parametrize("size", SIZES)
def test_staff_diary_view(page: Page, demo: str, size: str, screenshot_dir: Path) -> None:
    from toxinclinic.patients.models import Patient

    maya = Patient.objects.get(user__username="patient")
    page.set_viewport_size(SIZES[size])
    browser_login(page, demo, "clinician", DEMO_PASSWORD)
    page.goto(f"{demo}/diary/patients/{maya.public_id}/")
    expect(page.get_by_role("heading", name="Medication overuse (ICHD-3 8.2)")).to_be_visible()
    expect(page.locator(".moh strong").first).to_contain_text("medication-overuse headache")
    expect(page.get_by_role("region", name="Monthly numbers table")).to_have_count(1)
    expect(page.get_by_role("region", name="Monthly headache and migraine days")).to_have_count(0)
    _check(page, screenshot_dir / f"staff-diary-{size}.png")


@pytest.mark.parametrize("size", SIZES)
def test_recall_list(page: Page, demo: str, size: str, screenshot_dir: Path) -> None:
    page.set_viewport_size(SIZES[size])
    browser_login(page, demo, "coordinator", DEMO_PASSWORD)
    page.goto(f"{demo}/scheduling/recalls/?which=all")
    expect(page.get_by_role("heading", name="Recall list")).to_be_visible()
    first = page.locator("table tbody tr").first.locator("td").nth(1).get_by_role("link")
    name = first.inner_text()
    _check(page, screenshot_dir / f"recalls-{size}.png")
    first.click()
    last, given = name.split(", ", 1)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{given} {last}")
    assert "/patients/" in page.url


@pytest.mark.parametrize("size", SIZES)
def test_audit_screen(page: Page, demo: str, size: str, screenshot_dir: Path) -> None:
    page.set_viewport_size(SIZES[size])
    browser_login(page, demo, "admin", DEMO_PASSWORD)
    page.goto(f"{demo}/audit/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    body = page.locator("table.audit tbody").inner_text()
    assert re.search(r": \w[\w ]* by ", body), body[:300]
    assert not re.search(r"\b[a-z]+\.[a-z_]+\b|\b\d{4}-\d{2}-\d{2}\b", body), body[:300]
    _check(page, screenshot_dir / f"audit-{size}.png")
    page.get_by_label("From").fill("2026-03-12")
    page.get_by_label("To").fill("2026-03-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#e-until")).to_contain_text("To (Mar 1, 2026) is before From (Mar 12, 2026)")
    expect(page.get_by_label("To")).to_have_attribute("aria-invalid", "true")
    _check(page, screenshot_dir / f"audit-dates-error-{size}.png")

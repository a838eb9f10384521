"""The clinic admin edits the page in Chromium: live reading grade, preview, publish, history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HARD = (
    "Onabotulinumtoxin administration necessitates comprehensive neuromuscular evaluation, "
    "individualised dosing considerations and longitudinal documentation of therapeutic responsiveness."
)


def test_admin_edits_previews_and_publishes(
    page: Page, live_server: Any, world: Any, screenshot_dir: Path
) -> None:
    from conftest import PASSWORD
    from toxinclinic.education.demo import create_demo_page

    create_demo_page(world.clinic, world.user("admin"))
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Treatment pages").click()
    page.get_by_role("link", name="Botox for chronic migraine and cervical dystonia").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
    page_grade = page.locator("[data-grade-for=page]")
    expect(page_grade).to_contain_text("Reading grade")
    expect(page.locator(".tag.warn")).to_have_count(0)

    body = page.locator("#id_sections-0-body")
    body.fill(HARD)
    # The grade beside the section updates while typing, with the warning.
    expect(page.locator("[data-grade-for='sections-0'] .tag.warn")).to_contain_text("Above grade 8")
    page.screenshot(path=str(screenshot_dir / "treatment-editor.png"), full_page=False)

    body.fill("Botox is a medicine. A doctor gives it with a very fine needle. It calms tight muscles.")
    expect(page.locator("[data-grade-for='sections-0'] .tag.warn")).to_have_count(0)
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("status")).to_contain_text("Preview of the draft")
    expect(page.locator("#what-it-is")).to_contain_text("It calms tight muscles.")
    page.get_by_role("link", name="Back to the editor").click()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("heading", name="Version 2")).to_be_visible()
    expect(page.locator("#v2 .ed-diff")).to_contain_text("+Botox is a medicine. A doctor gives it")
    page.screenshot(path=str(screenshot_dir / "treatment-versions.png"), full_page=False)
    page.goto(f"{base}/treatments/botox-migraine-dystonia/")
    expect(page.locator("#what-it-is")).to_contain_text("It calms tight muscles.")
    expect(page.locator("#listen")).to_contain_text("Audio is being prepared")

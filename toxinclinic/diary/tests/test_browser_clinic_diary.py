"""The clinician's view of a patient's diary: the same charts, monthly numbers, the MOH flag and the
questionnaire history; reachable from the triage queue and the home panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from toxinclinic.diary.tests.helpers import overuse_diary
from toxinclinic.outcomes.services import submit
from toxinclinic.testing import days_ago, sign_visit
from toxinclinic.testing.browser import axe_clean, image_loaded, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinician_reads_a_diary(page: Page, live_server: Any, world: Any, screenshot_dir: Path) -> None:
    overuse_diary(world.patient)
    sign_visit(world.patient, days_ago(20), world.user("clinician"))
    submit(world.patient, "hit6", {f"q{i}": "very_often" for i in range(1, 7)}, actor=None)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "clinician")
    page.get_by_role("listitem").get_by_role("link", name="Lovelace, Ada").click()  # the MOH panel
    expect(page.get_by_role("heading", level=1)).to_have_text("Headache diary and outcomes")
    expect(page.locator("section.moh")).to_contain_text("Criteria for medication-overuse headache are met")
    expect(page.locator("main")).to_contain_text("Monthly numbers")
    expect(page.locator("main")).to_contain_text("HIT-6")
    assert image_loaded(page, ".chart img")
    axe_clean(page, "clinician diary view")
    page.screenshot(path=str(screenshot_dir / "portal-clinician-diary.png"), full_page=True)

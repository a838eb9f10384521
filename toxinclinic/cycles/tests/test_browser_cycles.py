"""Browser journeys: a clinician opens a patient's cycles from the chart and the clinic's outcomes from the
top bar; the patient reads their own plain-words page. Phone and desktop, axe-core clean, screenshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import make_patient
from toxinclinic.cycles.tests.helpers import story
from toxinclinic.testing import today
from toxinclinic.testing.browser import PHONE, axe_clean, image_loaded, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
STORIES = [(20, [12, 8, 6]), (18, [16, 15, 15]), (24, [10, 6, 5]), (16, [14, 9, 7]), (22, [20, 19, 21]),
           (19, [9, 8, 8])]  # fmt: skip


def _clinic(world: Any) -> None:
    start = today() - dt.timedelta(days=330)
    story(world.patient, start, 20, [12, 8, 6])
    for i, (b, per) in enumerate(STORIES):
        story(make_patient(world.clinic, f"R{i:03d}", f"P{i}", "Test"), start, b, per)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_clinician_cycles_and_outcomes(
    page: Page, live_server: Any, world: Any, screenshot_dir: Path, size: dict[str, int]
) -> None:
    _clinic(world)
    base = live_server.url
    page.set_viewport_size(size)
    login(page, base, "clinician")
    page.goto(f"{base}/patients/{world.patient.public_id}/")
    page.get_by_role("link", name="Treatment cycles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Treatment cycles")
    expect(page.locator("main")).to_contain_text("Cycles side by side")
    expect(page.locator("main")).to_contain_text("Continue")
    assert image_loaded(page, "img.cycles-chart")
    axe_clean(page, "patient cycles")
    page.screenshot(path=str(screenshot_dir / f"cycles-patient-{size['width']}.png"), full_page=True)
    page.goto(f"{base}/home/")
    page.get_by_role("link", name="Outcomes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic outcomes by cycle")
    expect(page.locator("main")).to_contain_text("7 patients with a usable baseline")
    expect(page.locator("main")).to_contain_text("COMPEL")
    assert image_loaded(page, "img.cycles-chart")
    axe_clean(page, "clinic outcomes")
    page.screenshot(path=str(screenshot_dir / f"cycles-report-{size['width']}.png"), full_page=True)
    page.get_by_label("Sessions from").fill("2020-05-01")
    page.get_by_label("Sessions to").fill("2020-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text("before its start")
    axe_clean(page, "clinic outcomes, bad filter")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_patient_reads_their_cycles(
    page: Page, live_server: Any, world: Any, screenshot_dir: Path, size: dict[str, int]
) -> None:
    story(world.patient, today() - dt.timedelta(days=330), 20, [12, 8, 6])
    base = live_server.url
    page.set_viewport_size(size)
    login(page, base, "patient")
    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My progress, one treatment at a time")
    expect(page.locator("main")).to_contain_text("headache days a month")
    assert image_loaded(page, "img.cycles-chart")
    axe_clean(page, "patient's cycles")
    page.screenshot(path=str(screenshot_dir / f"cycles-mine-{size['width']}.png"), full_page=True)

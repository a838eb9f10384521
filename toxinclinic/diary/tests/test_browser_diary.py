"""Phone journeys for the diary: a no-headache day in one tap, a migraine day with features and a triptan,
backfilling a missed day; every screen scanned with axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from toxinclinic.diary.models import DiaryEntry
from toxinclinic.testing import days_ago, sign_visit, today, triptan
from toxinclinic.testing.browser import PHONE, axe_clean, image_loaded, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def base(live_server: Any, world: Any) -> str:
    triptan(world.patient)
    sign_visit(world.patient, days_ago(40), world.user("clinician"))
    return live_server.url


def test_no_headache_day_in_one_tap(page: Page, base: str, world: Any, screenshot_dir: Path) -> None:
    login(page, base, "patient")
    axe_clean(page, "patient home")
    shot(page, screenshot_dir, "home")
    page.get_by_role("button", name="No headache today").click()
    expect(page).to_have_url(f"{base}/home/")  # one tap, and back where the patient was
    expect(page.get_by_role("status").first).to_contain_text("no headache")
    expect(page.locator(".logged")).to_contain_text("Logged today: no headache")
    e = DiaryEntry.objects.get(patient=world.patient, date=today())
    assert e.headache is False
    axe_clean(page, "home after logging")
    shot(page, screenshot_dir, "home-logged")
    page.goto(f"{base}/diary/")
    axe_clean(page, "diary today (logged)")
    shot(page, screenshot_dir, "diary-today-logged")


def test_migraine_day_with_features_and_a_triptan(
    page: Page, base: str, world: Any, screenshot_dir: Path
) -> None:
    login(page, base, "patient")
    page.goto(f"{base}/diary/")
    page.get_by_text("I had a headache").click()
    page.get_by_label("How many hours did it last?").fill("9")
    page.get_by_text("Severe", exact=True).click()
    for feature in ("One side of the head", "Throbbing", "Nausea", "Light bothered me", "Noise bothered me"):
        page.get_by_text(feature, exact=True).click()
    page.get_by_text("Sumatriptan", exact=True).click()
    page.locator("fieldset", has_text="Did the medicine help?").get_by_text("Yes", exact=True).click()
    axe_clean(page, "diary headache form")
    shot(page, screenshot_dir, "diary-migraine-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("migraine day, 9 h, severe")
    e = DiaryEntry.objects.get(patient=world.patient, date=today())
    assert e.migraine_day and e.triptan_or_ergot_day and e.relieved_by_acute
    assert e.medication_classes == ["triptan"]
    shot(page, screenshot_dir, "diary-migraine-saved")


def test_backfill_a_missed_day(page: Page, base: str, world: Any, screenshot_dir: Path) -> None:
    login(page, base, "patient")
    page.goto(f"{base}/diary/")
    missed = days_ago(2)
    label = f"{missed:%a}, {missed:%b} {missed.day}"  # the US demo clinic: "Sun, Nov 29"
    page.get_by_role("link", name=label).click()
    expect(page).to_have_url(f"{base}/diary/day/{missed.isoformat()}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{missed:%A}")
    axe_clean(page, "backfill day")
    # The headache form of a past day is already open; a first tap on its heading must not close it.
    page.get_by_role("heading", name="I had a headache").click()
    expect(page.locator("section.headache-form form")).to_be_visible()
    shot(page, screenshot_dir, "diary-backfill")
    page.get_by_role("button", name=f"No headache on {label}").click()
    assert DiaryEntry.objects.filter(patient=world.patient, date=missed).exists()
    page.goto(f"{base}/diary/calendar/")
    expect(page.locator("table.cal caption")).to_contain_text(f"{today():%B %Y}")
    axe_clean(page, "calendar")
    shot(page, screenshot_dir, "diary-calendar")
    page.goto(f"{base}/diary/trends/")
    img = page.locator(".chart img")
    expect(img).to_be_visible()
    assert image_loaded(page, ".chart img")
    axe_clean(page, "trends")
    shot(page, screenshot_dir, "diary-trends")

"""Phone journey: answer MIDAS from the dashboard; the questionnaire screens pass axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import PatientIndication
from toxinclinic.testing.browser import PHONE, axe_clean, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_answer_midas(page: Page, live_server: Any, world: Any, screenshot_dir: Path) -> None:
    PatientIndication.objects.create(patient=world.patient, indication="chronic_migraine", icd10="G43.709")
    base = live_server.url
    login(page, base, "patient")
    page.get_by_role("link", name="Answer the MIDAS questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("MIDAS")
    axe_clean(page, "MIDAS form")
    # Send it half done first: every missing question is named, nothing stored.
    page.get_by_label("On how many days did you miss work or school because of your headaches? (0–90)").fill(
        "4"
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Question 2")
    assert not QuestionnaireResponse.objects.exists()
    axe_clean(page, "MIDAS form with errors")
    shot(page, screenshot_dir, "midas-errors")
    answers = {"q2": "2", "q3": "3", "q4": "1", "q5": "2", "a": "40"}
    for key, value in answers.items():
        page.locator(f"input[name={key}]").fill(value)
    page.locator("fieldset#q-b").get_by_text("7", exact=True).click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("MIDAS result")
    expect(page.locator("main")).to_contain_text("Grade III: moderate disability")
    r = QuestionnaireResponse.objects.get()
    assert (r.total, r.band, r.timepoint) == (12, "III", "baseline")
    axe_clean(page, "MIDAS result")
    shot(page, screenshot_dir, "midas-result")
    page.goto(f"{base}/questionnaires/")
    axe_clean(page, "questionnaire list")
    shot(page, screenshot_dir, "questionnaires")
    page.goto(f"{base}/questionnaires/hit6/")
    axe_clean(page, "HIT-6 form")
    shot(page, screenshot_dir, "hit6-form")


def test_dystonia_forms_and_pgic_are_accessible(
    page: Page, live_server: Any, world: Any, screenshot_dir: Path
) -> None:
    PatientIndication.objects.create(patient=world.patient, indication="cervical_dystonia", icd10="G24.3")
    base = live_server.url
    login(page, base, "patient")
    for key in ("twstrs", "pain_nrs", "pgic"):
        page.goto(f"{base}/questionnaires/{key}/")
        axe_clean(page, f"{key} form")
        shot(page, screenshot_dir, f"{key}-form")
    page.goto(f"{base}/questionnaires/pgic/")
    page.get_by_text("Much improved", exact=True).click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("main")).to_contain_text("Much improved")

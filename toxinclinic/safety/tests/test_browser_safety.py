"""Phone journeys after an injection: report an urgent symptom, see the call-now screen; the clinician
sees it at the top of the triage queue. Patient screens pass axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from toxinclinic.safety.models import CheckIn, TriageItem
from toxinclinic.testing import days_ago, sign_visit
from toxinclinic.testing.browser import PHONE, axe_clean, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_urgent_symptom_then_clinician_triage(
    page: Page, browser: Browser, live_server: Any, world: Any, screenshot_dir: Path
) -> None:
    sign_visit(world.patient, days_ago(3), world.user("clinician"))
    sign_visit(world.patient2, days_ago(4), world.user("clinician"))
    base = live_server.url
    login(page, base, "patient")
    page.get_by_role("link", name="My treatment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My treatment")
    axe_clean(page, "my treatment")
    shot(page, screenshot_dir, "treatment")
    page.get_by_role("link", name="Answer the day-3 check-in").click()
    axe_clean(page, "check-in")
    shot(page, screenshot_dir, "check-in")
    page.goto(f"{base}/safety/report/")
    axe_clean(page, "report form")
    page.get_by_text("Trouble swallowing", exact=True).click()
    page.get_by_text("Neck pain", exact=True).click()
    shot(page, screenshot_dir, "report-form")
    page.get_by_role("button", name="Send to the clinic").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Get help now")
    expect(page.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(page.get_by_role("link", name="Call the clinic now: 020 0000 0001")).to_have_attribute(
        "href", "tel:02000000001"
    )
    # The call button is on screen without scrolling.
    box = page.get_by_role("link", name="Call 911").bounding_box()
    assert box is not None and box["y"] + box["height"] < PHONE["height"]
    axe_clean(page, "urgent screen")
    shot(page, screenshot_dir, "urgent", full_page=False)
    item = TriageItem.objects.get(patient=world.patient)
    assert item.level == "urgent"

    # A colleague reports something routine; the clinician's queue puts the urgent one first.
    from toxinclinic.safety.services import report_side_effect

    report_side_effect(world.patient2, symptoms=["injection_site_pain"], actor=world.user("patient2"))
    clinic_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = clinic_ctx.new_page()
    login(staff, base, "clinician")
    staff.get_by_role("link", name="Triage (1 urgent)").click()
    first = staff.locator("ul.queue > li").first
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("Ada Lovelace")
    expect(first).to_contain_text("Trouble swallowing")
    expect(first).to_contain_text("155 U")
    expect(staff.locator("ul.queue > li").nth(1)).to_contain_text("Grace Hopper")
    staff.screenshot(path=str(screenshot_dir / "portal-triage-queue.png"), full_page=True)
    first.get_by_role("link").click()
    staff.get_by_role("button", name="Acknowledge — I'm handling this").click()
    expect(staff.locator("main")).to_contain_text("acknowledged by Clinician Tester")
    staff.get_by_label("Call-back notes").fill("Spoke to Ada: swallowing worse since yesterday. Sent to A&E.")
    staff.get_by_label("Outcome").select_option("sent_to_emergency")
    staff.get_by_role("button", name="Save call-back").click()
    expect(staff.locator("main")).to_contain_text("Sent to emergency care")
    staff.get_by_role("link", name="Record an adverse event").click()
    staff.get_by_label("Term").fill("Dysphagia")
    staff.get_by_label("Severity").select_option("severe")
    staff.get_by_label("Serious adverse event").check()
    staff.get_by_label("Required or prolonged hospitalisation").check()
    staff.get_by_label("Outcome").select_option("recovering")
    staff.get_by_role("button", name="Save adverse event").click()
    expect(staff.locator("main")).to_contain_text("Dysphagia")
    staff.screenshot(path=str(screenshot_dir / "portal-triage-item.png"), full_page=True)
    clinic_ctx.close()
    item.refresh_from_db()
    assert item.status == "closed" and item.adverse_events.count() == 1
    assert CheckIn.objects.filter(patient=world.patient, status="pending").count() == 2


def test_routine_report_confirmation(page: Page, live_server: Any, world: Any, screenshot_dir: Path) -> None:
    sign_visit(world.patient, days_ago(2), world.user("clinician"))
    base = live_server.url
    login(page, base, "patient")
    page.goto(f"{base}/safety/report/")
    page.get_by_text("Drooping eyelid", exact=True).click()
    page.get_by_role("button", name="Send to the clinic").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("the clinic has your report")
    expect(page.locator(".advice")).to_contain_text("call the clinic on 020 0000 0001")
    axe_clean(page, "report confirmation")
    shot(page, screenshot_dir, "report-done")

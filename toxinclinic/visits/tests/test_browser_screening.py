"""In Chromium at 390x844 and 1280x900: a screening that refuses unanswered questions (each listed) and
then passes; the visit's safety banner shows an open urgent report as blocking on every step, the sign
page, the chart, the triage item and the diary view; the vial step groups lots; no screen scrolls
sideways; axe-core finds no serious or critical violation. Screenshots in var/test-output/screenshots."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import browser_login
from toxinclinic.clinical import screening
from toxinclinic.testing.browser import axe_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _no_sideways_scroll(page: Page, what: str) -> None:
    extra = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert extra <= 0, f"{what}: the page scrolls {extra}px sideways"


def _check(page: Page, shots: Path, name: str, *, scroll: bool = True) -> None:
    axe_clean(page, name)
    if scroll:
        _no_sideways_scroll(page, name)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_screening_refuses_unanswered_then_passes_with_the_banner(
    page: Page, live_server: Any, world: Any, screenshot_dir: Path, size: str
) -> None:
    from django.utils import timezone

    from toxinclinic.patients.models import Medication
    from toxinclinic.visits import services as svc
    from toxinclinic.visits.tests.helpers import consent_data, location, vials
    from toxinclinic.visits.tests.test_banner import _urgent_report

    Medication.objects.create(patient=world.patient, name="Warfarin", drug_class="anticoagulant")
    item = _urgent_report(world)
    clinician = world.user("clinician")
    main = location(world.clinic)
    v = svc.create_visit(
        world.patient,
        actor=clinician,
        visit_date=timezone.localdate(),
        indication="chronic_migraine",
        product="botox",
        location=main,
    )
    vials(world.clinic, 3, size=200, lot_number="C7415B", expiry=timezone.localdate() + dt.timedelta(days=30))
    vials(world.clinic, 2, size=200, lot_number="D2210A")
    base = live_server.url
    page.set_viewport_size(VIEWPORTS[size])
    browser_login(page, base, "clinician")

    # --- screening: the banner, the chart's one fact, nothing else answered --------------------------
    page.goto(f"{base}/visits/{v.public_id}/screening/")
    banner = page.locator("section.safety-banner")
    expect(banner).to_have_class(re.compile("has-blocking"))
    expect(banner.locator("li.sb-stop", has_text="Open urgent side-effect report")).to_contain_text(
        "trouble breathing (not yet acknowledged)"
    )
    expect(banner).to_contain_text("Warfarin on the medication list")
    anticoag = page.get_by_role("group", name=re.compile("Anticoagulant or antiplatelet"))
    expect(anticoag).to_contain_text("Yes — Warfarin on the medication list, added")
    expect(anticoag.get_by_label("Yes")).to_be_checked()
    pregnant = page.get_by_role("group", name="Pregnant", exact=True)
    expect(pregnant).to_contain_text("Nothing recorded on the chart — ask the patient.")
    expect(pregnant.get_by_label("Yes")).not_to_be_checked()
    expect(pregnant.get_by_label("No")).not_to_be_checked()
    _check(page, screenshot_dir, f"screening-1-start-{size}")

    # --- saving with questions unanswered is refused, each one listed -------------------------------
    page.get_by_role("button", name="Save screening").click()
    errors = page.locator("#screening-errors")
    expect(errors).to_contain_text("Nothing was saved. 12 questions not answered:")
    expect(errors.get_by_role("link", name="Pregnant", exact=True)).to_be_visible()
    expect(errors.get_by_role("link", name="Infection at a planned injection site")).to_be_visible()
    expect(pregnant).to_contain_text("Not answered: Pregnant. Ask the patient and answer yes or no.")
    _check(page, screenshot_dir, f"screening-2-refused-{size}")

    # --- answered: saved, results in sentences ------------------------------------------------------
    for key in screening.KEYS:
        if key != "anticoagulant_or_antiplatelet":
            page.locator(f'input[name="{key}"][value="no"]').check()
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_text("Screening saved.")).to_be_visible()
    expect(pregnant).to_contain_text("Not pregnant.")
    expect(page.get_by_role("group", name="Infection at a planned injection site")).to_contain_text(
        "No infection at the injection sites."
    )
    expect(anticoag).to_contain_text("Takes an anticoagulant or antiplatelet medicine.")
    expect(page.locator("main")).not_to_contain_text("No: ")
    _check(page, screenshot_dir, f"screening-3-saved-{size}")

    # --- the rest of the visit, prepared through the services; every step shows the banner ----------
    v.refresh_from_db()
    v = svc.save_consent(v, v.version, actor=clinician, **consent_data())
    v = svc.apply_protocol(v, v.version, actor=clinician, key="preempt")
    page.goto(f"{base}/visits/{v.public_id}/vials/")
    expect(page.locator("section.safety-banner")).to_contain_text("Open urgent side-effect report")
    expect(page.locator(".vial-option")).to_have_count(2)
    expect(page.locator(".vial-option").first).to_contain_text("lot C7415B")
    expect(page.locator(".vial-option").first).to_contain_text("3 vials at Main")
    page.get_by_label("Units administered (U)").fill("155")
    page.get_by_label("Units discarded (U)").fill("45")
    page.get_by_role("button", name="Record vial").click()
    expect(page.get_by_text("Vial recorded.")).to_be_visible()
    expect(page.locator(".vial-uses")).to_contain_text("lot C7415B")
    _check(page, screenshot_dir, f"visit-vials-{size}")

    page.get_by_role("link", name="Next: review and sign").click()
    expect(page.locator("section.safety-banner")).to_contain_text("Open urgent side-effect report")
    expect(page.locator("main")).to_contain_text("Takes an anticoagulant or antiplatelet medicine.")
    expect(page.locator("main")).not_to_contain_text("session_max")
    _check(page, screenshot_dir, f"visit-sign-{size}")
    page.get_by_label("I have reviewed the warnings and screening concerns listed above").check()
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Signed. The note is now final")).to_be_visible()
    note = page.locator("article")
    expect(note).to_contain_text("Not pregnant.")
    expect(note).to_contain_text("Yes — Warfarin on the medication list, added")
    _check(page, screenshot_dir, f"visit-note-{size}")

    # --- the other screens where a dose is weighed -------------------------------------------------
    for name, url in (
        ("chart", f"/patients/{world.patient.public_id}/"),
        ("triage-item", f"/safety/triage/{item.public_id}/"),
        ("diary", f"/diary/patients/{world.patient.public_id}/"),
    ):
        page.goto(base + url)
        expect(page.locator("section.safety-banner li.sb-stop").first).to_contain_text(
            "Open urgent side-effect report"
        )
        axe_clean(page, name)
        page.screenshot(path=str(screenshot_dir / f"banner-{name}-{size}.png"), full_page=True)
    assert Decimal(155) == sum(u.units_administered for u in v.vial_uses.all())

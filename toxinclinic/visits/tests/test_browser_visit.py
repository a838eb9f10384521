"""The injection visit in Chromium (desktop 1280×900): the nurse screens and records consent; the clinician
charts a PREEMPT 155 U session on the map, adds two follow-the-pain sites, watches the live totals, picks a
vial and signs; the note PDF renders; the lot search finds the patient."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import browser_login
from toxinclinic.accounts.locale import format_date
from toxinclinic.accounts.models import Clinic
from toxinclinic.clinical.screening import KEYS as SCREENING_KEYS
from toxinclinic.demo.core import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture
def demo(live_server: Any) -> str:
    from toxinclinic.patients.models import Patient, PatientIndication

    call_command("demo_seed", patients=8, seed=7)
    clinic = Clinic.objects.get(name="Harbour Neurology Clinic")
    p = Patient.objects.create(
        clinic=clinic,
        mrn="HN900001",
        first_name="Nora",
        last_name="Quill",
        date_of_birth=dt.date(1979, 5, 2),
        sex="female",
        phone="07700 900123",
        enrolled_on=dt.date(2025, 3, 1),
    )
    PatientIndication.objects.create(patient=p, indication="chronic_migraine", icd10="G43.719")
    return live_server.url


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _axe(page: Page, name: str) -> None:
    result = Axe().run(page)
    bad = [v for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)


def test_injection_visit_journey(page: Page, demo: str, screenshot_dir: Path, tmp_path: Path) -> None:
    # --- the nurse rooms the patient: screening and consent ---------------------------------------
    browser_login(page, demo, "nurse", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Visits").click()
    page.get_by_label("Find the patient by name or MRN").fill("quill")
    page.get_by_role("button", name="Find patient").click()
    page.get_by_role("link", name="Quill, Nora").click()
    page.get_by_label("Indication").select_option("chronic_migraine")
    page.get_by_label("Product").select_option("botox")
    page.get_by_role("button", name="Start visit").click()
    expect(page.get_by_role("heading", name="Pre-injection screening")).to_be_visible()
    page.get_by_role("group", name=re.compile("Anticoagulant or antiplatelet")).get_by_label("Yes").check()
    # Nothing else starts answered: every other question is asked and answered.
    for key in SCREENING_KEYS:
        if key != "anticoagulant_or_antiplatelet":
            page.locator(f'input[name="{key}"][value="no"]').check()
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_text("Screening saved.")).to_be_visible()
    anticoag = page.locator("li", has=page.get_by_role("group", name=re.compile("Anticoagulant")))
    expect(anticoag).to_contain_text("Concern")
    expect(anticoag).to_contain_text("prescriber's decision")
    expect(page.locator("li.status-pass").first).to_contain_text("Clear")
    _axe(page, "screening")
    page.screenshot(path=str(screenshot_dir / "visit-1-screening.png"), full_page=True)
    page.get_by_role("link", name="Next: consent").click()
    for label in (
        "Benefits discussed",
        "Common side effects",
        "Rare serious side effects",
        "Alternatives discussed",
    ):
        page.get_by_label(re.compile(label)).check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    _logout(page)

    # --- the clinician charts on the map --------------------------------------------------------
    browser_login(page, demo, "clinician", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Visits").click()
    page.get_by_role("link", name="Quill, Nora").click()
    expect(page.get_by_role("heading", name="Protocol")).to_be_visible()
    page.get_by_label("Template").select_option("preempt")
    page.get_by_role("button", name="Prefill sites").click()
    live = page.locator("#live-check")
    expect(live.locator(".session-total")).to_contain_text("155 Botox U this session")
    expect(page.locator("svg.inj-map a.site")).to_have_count(31)
    for muscle, side in (("temporalis", "left"), ("occipitalis", "right")):
        page.get_by_label("Muscle", exact=True).select_option(muscle)
        page.get_by_label("Side", exact=True).select_option(side)
        page.get_by_role("button", name="Add site").click()
        expect(page.get_by_text("Chart saved.")).to_be_visible()
    expect(page.locator("svg.inj-map a.site")).to_have_count(33)
    expect(live.locator(".session-total")).to_contain_text("165 Botox U")
    expect(live).to_contain_text(
        "within this protocol's maximum of 195 Botox U (template: PREEMPT with follow-the-pain)"
    )
    # Live: tap a site on the map and raise it; the server's check answers without saving.
    page.get_by_role("link", name="Temporalis left 1, 5 U").click()
    editor = page.get_by_label("Temporalis left 1 — units")
    expect(editor).to_be_focused()
    editor.fill("45")
    expect(live.locator(".session-total")).to_contain_text("205 Botox U")
    expect(live.locator(".findings .hard").first).to_contain_text(
        "Hard stop — Session maximum: The session total, 205 Botox U, "
        "is above this protocol's maximum of 195 Botox U"
    )
    expect(page.get_by_role("link", name="Temporalis left 1, 45 U")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "visit-2-map-hard-stop.png"), full_page=True)
    editor.fill("5")
    expect(live.locator(".session-total")).to_contain_text("165 Botox U")
    expect(live.locator(".findings .hard")).to_have_count(0)
    page.get_by_role("button", name="Done").click()
    totals = live.locator("table.totals")
    expect(totals.locator("tr", has_text="Temporalis")).to_contain_text("45")
    expect(totals.locator("tr", has_text="Occipitalis")).to_contain_text("35")
    _axe(page, "chart")
    page.screenshot(path=str(screenshot_dir / "visit-3-map.png"), full_page=True)
    page.get_by_role("button", name="Save chart").click()
    page.get_by_role("link", name="Next: product and vials").click()

    # --- product and vial: first-expiring first ---------------------------------------------------
    first = page.locator(".vial-option").first
    expect(first).to_contain_text("lot C7415B")
    expect(first).to_have_class(re.compile("expiring"))
    first.locator("input").check()
    expect(page.get_by_label("Diluent (mL of preservative-free 0.9% saline)")).to_have_value("4")
    page.get_by_label("Units administered (U)").fill("165")
    page.get_by_label("Units discarded (U)").fill("35")
    page.get_by_role("button", name="Record vial").click()
    expect(page.get_by_text("Vial recorded.")).to_be_visible()
    expect(page.locator(".vial-uses")).to_contain_text("C7415B")
    page.get_by_role("link", name="Next: review and sign").click()

    # --- sign ---------------------------------------------------------------------------------
    expect(page.get_by_role("heading", name=re.compile("165 Botox U in 33 sites"))).to_be_visible()
    ack = page.get_by_label("I have reviewed the warnings and screening concerns listed above")
    expect(ack).to_be_visible()  # the anticoagulant concern from screening
    ack.check()
    page.get_by_label("Clinical note").fill(
        "Tolerated well. Follow-the-pain: left temporal, right occipital."
    )
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Signed. The note is now final")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Signed note"))).to_be_visible()
    note = page.locator("article")
    for text in ("C7415B", "J0585", "J0585-JW", "64615", "165", "Do not rub"):
        expect(note).to_contain_text(text)
    _axe(page, "signed note")
    page.screenshot(path=str(screenshot_dir / "visit-4-signed-note.png"), full_page=True)

    # --- the PDF ----------------------------------------------------------------------------------
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "note.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("Nora Quill", "C7415B", "J0585-JW", "Temporalis left follow-the-pain 1", "165", "4 mL"):
        assert expected in text, expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(screenshot_dir / "visit-5-pdf")],
        check=True,
    )
    assert (screenshot_dir / "visit-5-pdf-1.png").exists()

    # --- recall search by lot -----------------------------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="Recall search").click()
    page.get_by_label("Lot number").fill("c7415b")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Recipients of Botox lot C7415B")).to_be_visible()
    row = page.locator("tr", has_text="Quill, Nora")
    expect(row).to_contain_text("165 U")
    # Today in the clinic's time zone and date format (the UTC date can already be tomorrow's).
    clinic = Clinic.objects.get(name="Harbour Neurology Clinic")
    expect(row).to_contain_text(format_date(timezone.now(), clinic))
    page.screenshot(path=str(screenshot_dir / "visit-6-lot-recipients.png"), full_page=True)

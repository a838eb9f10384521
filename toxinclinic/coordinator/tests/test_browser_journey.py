"""The coordinator's journey (Chromium): filter "due this week", book the next injection from the worklist
(Book → pick a slot), see the reminder queued in the outbox, download the packet PDF (text checked, page 1
rendered to PNG for a look). Screens at 1280×900 and 390×844, axe-clean."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from toxinclinic.coordinator.tests.clinic import build_clinic
from toxinclinic.messaging.models import Message
from toxinclinic.scheduling.models import Appointment
from toxinclinic.scheduling.tests.helpers import open_clinic
from toxinclinic.testing.browser import PHONE, axe_clean, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def test_due_this_week_book_remind_packet(
    page: Page, browser: Browser, live_server: Any, world: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    open_clinic(world)
    clinic = build_clinic(world)
    target = clinic["Weekahead"]  # window opens in 4 days: the day-before reminder is ahead
    base = live_server.url
    login(page, base, "coordinator")
    page.get_by_role("link", name="Worklist").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    page.get_by_label("Due this week").check()
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.worklist tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.worklist")).to_contain_text("Inwindow")
    expect(page.locator("table.worklist")).to_contain_text("Weekahead")
    expect(page.locator("table.worklist")).not_to_contain_text("Overdue2")
    axe_clean(page, "worklist")
    shot(page, screenshot_dir, "coordinator-worklist-due-week")

    # Book: two clicks (Book, then a slot).
    page.locator("tr", has_text="Weekahead").get_by_role("link", name="Book").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Book for Pat Weekahead")
    page.locator("button.slot").first.click()
    appt = Appointment.objects.get(patient=target, status="booked")
    shot(page, screenshot_dir, "coordinator-booked")

    # Back on the worklist the patient is booked, and no longer due this week.
    page.goto(f"{base}/coordinator/worklist/?f=due_week")
    expect(page.locator("table.worklist tbody tr")).to_have_count(1)
    page.goto(f"{base}/coordinator/worklist/")
    expect(page.locator("tr", has_text="Weekahead")).to_contain_text("Booked")

    # The reminder waits in the outbox.
    assert Message.objects.filter(
        recipient_patient=target, idempotency_key__startswith=f"appt:{appt.public_id}"
    ).exists()
    page.goto(f"{base}/messaging/outbox/")
    expect(page.locator("main")).to_contain_text("Pat Weekahead")
    shot(page, screenshot_dir, "coordinator-outbox")

    # The packet PDF.
    page.goto(f"{base}/coverage/patients/{target.public_id}/")
    axe_clean(page, "packet screen")
    shot(page, screenshot_dir, "coordinator-packet")
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download the packet (PDF)").click()
    pdf = tmp_path / "packet.pdf"
    dl.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Prior authorization packet" in text and "Pat Weekahead" in text
    assert "64615" in text and "J0585 × 155" in text and "What is missing" in text
    png = screenshot_dir / "coordinator-packet-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(png)], check=True)
    assert any(screenshot_dir.glob("coordinator-packet-page1*.png"))

    # The same worklist on a phone.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(phone, base, "coordinator")
    phone.goto(f"{base}/coordinator/worklist/?f=overdue")
    expect(phone.locator("table.worklist")).to_contain_text("Overdue2")
    axe_clean(phone, "worklist on a phone")
    shot(phone, screenshot_dir, "coordinator-worklist-phone")
    assert shutil.which("pdftoppm")

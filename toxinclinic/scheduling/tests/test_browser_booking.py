"""Browser journey (Chromium, phone and desktop): the coordinator opens a patient's free-slot list and
books the next injection with one click on a slot (two clicks from any link to the list, such as the
worklist's); the schedule shows it; the patient's home shows it with "Add to calendar". axe-core clean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from toxinclinic.scheduling.models import Appointment, AppointmentKind
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic
from toxinclinic.testing import sign_visit
from toxinclinic.testing.browser import axe_clean, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_book_next_injection_from_the_slot_list(
    browser: Browser, live_server: Any, world: Any, screenshot_dir: Path, size: str
) -> None:
    open_clinic(world)
    day = next_weekday(14)
    sign_visit(world.patient, day - dt.timedelta(days=84))
    base = live_server.url
    ctx = browser.new_context(viewport=VIEWPORTS[size])
    page = ctx.new_page()
    login(page, base, "coordinator")
    # Click 1: the link (the worklist's "Book"); click 2: the first free slot.
    page.goto(f"{base}/scheduling/patients/{world.patient.public_id}/slots/")
    expect(page.get_by_role("heading", name="Next free times")).to_be_visible()
    axe_clean(page, "slot list")
    page.screenshot(path=str(screenshot_dir / f"scheduling-slots-{size}.png"), full_page=True)
    page.locator("button.slot").first.click()
    expect(page.get_by_role("heading", name="Injection visit: Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("Booked: Injection visit with")).to_be_visible()
    appt = Appointment.objects.get()
    assert appt.kind == AppointmentKind.INJECTION and appt.starts_at == at(world, day, 9)
    axe_clean(page, "appointment")
    page.screenshot(path=str(screenshot_dir / f"scheduling-appointment-{size}.png"), full_page=True)
    page.goto(f"{base}/scheduling/schedule/?day={day.isoformat()}&span=week")
    expect(page.locator(".appt").first).to_contain_text("Ada Lovelace")
    axe_clean(page, "schedule")
    page.screenshot(path=str(screenshot_dir / f"scheduling-week-{size}.png"), full_page=True)
    ctx.close()
    ctx = browser.new_context(viewport=VIEWPORTS[size])
    page = ctx.new_page()
    login(page, base, "patient")
    panel = page.locator("section", has=page.get_by_role("heading", name="My next appointment"))
    expect(panel.get_by_role("link", name="Add to calendar")).to_be_visible()
    axe_clean(page, "patient home")
    page.screenshot(path=str(screenshot_dir / f"scheduling-patient-home-{size}.png"), full_page=True)
    with page.expect_download() as dl:
        panel.get_by_role("link", name="Add to calendar").click()
    assert b"BEGIN:VEVENT" in Path(dl.value.path()).read_bytes()
    ctx.close()

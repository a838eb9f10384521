"""Browser journeys (Chromium, phone and desktop): a clinician keeps their own hours — a period outside the
clinic's opening hours is refused with the hours, days away over a booked appointment name it and are
saved only when confirmed, and the appointment stays listed; staff record a patient attended from the
appointment screen and the patient's home shows it as past. axe-core clean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AvailabilityException,
)
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic
from toxinclinic.testing.browser import axe_clean, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_clinician_keeps_their_own_hours_and_days_away(
    browser: Browser, live_server: Any, world: Any, screenshot_dir: Path, size: str
) -> None:
    doc = open_clinic(world)
    day = next_weekday(10)
    booking.book(
        world.patient, actor=world.user("coordinator"), clinician=doc, kind=AppointmentKind.INJECTION,
        starts_at=at(world, day, 9, 30),
    )  # fmt: skip
    base = live_server.url
    ctx = browser.new_context(viewport=VIEWPORTS[size])
    page = ctx.new_page()
    login(page, base, "clinician")
    page.goto(f"{base}/scheduling/availability/")
    expect(page.get_by_role("heading", name="My availability")).to_be_visible()
    axe_clean(page, "my availability")
    page.screenshot(path=str(screenshot_dir / f"scheduling-availability-{size}.png"), full_page=True)

    add = page.locator("form.add", has=page.get_by_role("button", name="Add hours"))
    add.get_by_label("Day").select_option(label="Tuesday")
    add.get_by_label("From").fill("07:00")
    add.get_by_label("To").fill("09:00")
    add.get_by_role("button", name="Add hours").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Outside the clinic's opening hours: on Tuesday it is open 8:00 AM–5:00 PM."
    )
    axe_clean(page, "hours refused")
    page.screenshot(path=str(screenshot_dir / f"scheduling-availability-refused-{size}.png"), full_page=True)

    away = page.locator("form.add", has=page.get_by_role("button", name="Add days away"))
    away.get_by_label("First day").fill(day.isoformat())
    away.get_by_label("Last day").fill(day.isoformat())
    away.get_by_label("Reason").fill("Leave")
    away.get_by_role("button", name="Add days away").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Not saved yet: booked appointments would be left outside the hours.")
    expect(warning.get_by_role("link", name="Ada Lovelace, Injection visit")).to_be_visible()
    assert not AvailabilityException.objects.exists()
    axe_clean(page, "days away warning")
    page.screenshot(path=str(screenshot_dir / f"scheduling-availability-warning-{size}.png"), full_page=True)
    warning.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("1 booked appointment now outside the hours")).to_be_visible()
    kept = page.get_by_role("status").filter(has_text="Booked outside these hours or on days away")
    expect(kept).to_contain_text("Ada Lovelace, Injection visit")
    assert AvailabilityException.objects.filter(clinician=doc, first_day=day, reason="Leave").exists()
    axe_clean(page, "days away saved")
    page.screenshot(path=str(screenshot_dir / f"scheduling-availability-saved-{size}.png"), full_page=True)
    ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_staff_record_attended_and_the_patient_sees_it_as_past(
    browser: Browser, live_server: Any, world: Any, screenshot_dir: Path, size: str
) -> None:
    open_clinic(world)
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=20)
    appt = Appointment.objects.create(
        clinic=world.clinic, patient=world.patient, clinician=world.user("clinician"),
        kind=AppointmentKind.FOLLOW_UP, starts_at=start, ends_at=start + dt.timedelta(minutes=20),
    )  # fmt: skip
    base = live_server.url
    ctx = browser.new_context(viewport=VIEWPORTS[size])
    page = ctx.new_page()
    login(page, base, "nurse")
    page.goto(f"{base}/scheduling/appointments/{appt.public_id}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Attended"))
    card.get_by_label("Note (optional)").fill("Seen on time")
    card.get_by_role("button", name="Record attended").click()
    expect(page.get_by_text("Recorded: the patient attended.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Attended — Seen on time")
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.ATTENDED
    axe_clean(page, "appointment attended")
    page.screenshot(path=str(screenshot_dir / f"scheduling-attended-{size}.png"), full_page=True)
    ctx.close()
    ctx = browser.new_context(viewport=VIEWPORTS[size])
    page = ctx.new_page()
    login(page, base, "patient")
    panel = page.locator("section", has=page.get_by_role("heading", name="My next appointment"))
    on = start.astimezone(clinic_tz(world.clinic)).date()
    expect(panel).to_contain_text("Nothing booked")
    expect(panel).to_contain_text(f"Last appointment: {booking.format_date(on, world.clinic)}, attended.")
    panel.get_by_role("link", name="Details of the last appointment").click()
    expect(page.get_by_role("heading", name="Past appointment at Clinic A")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar")).to_have_count(0)
    axe_clean(page, "patient past appointment")
    page.screenshot(path=str(screenshot_dir / f"scheduling-patient-past-{size}.png"), full_page=True)
    ctx.close()

"""Browser (Chromium, phone and desktop): the patient opens "How we contact you" from the top bar, sees
their own e-mail and phone, switches to text messages and turns diary reminders off; the choice is saved
and a diary reminder is then not queued. axe-core clean before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from toxinclinic.messaging import services
from toxinclinic.messaging.models import ContactPreference
from toxinclinic.testing.browser import axe_clean, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_patient_changes_how_we_contact_them(
    browser: Browser,
    live_server: Any,
    world: Any,
    settings: Any,
    tmp_path: Path,
    screenshot_dir: Path,
    size: str,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.patient.phone = "+1 212 555 0101"
    world.patient.save()
    base = live_server.url
    page = browser.new_page(viewport=VIEWPORTS[size])
    try:
        login(page, base, "patient")
        nav = page.get_by_role("link", name="How we contact you")
        if size == "phone" and not nav.first.is_visible():
            page.get_by_role("button", name="Menu").click()
        nav.first.click()
        expect(page).to_have_url(f"{base}/messaging/contact/")
        expect(page.get_by_role("heading", name="How we contact you", level=1)).to_be_visible()
        expect(page.get_by_text(world.patient.email)).to_be_visible()
        axe_clean(page, f"contact preferences ({size})")
        page.screenshot(path=str(screenshot_dir / f"contact-preferences-{size}.png"), full_page=True)
        page.get_by_label("Text message to").check()
        page.get_by_label("Reminders to fill in your headache diary").uncheck()
        page.get_by_role("button", name="Save my choices").click()
        expect(page.get_by_text("Saved. We will contact you the way you chose.")).to_be_visible()
        expect(page.get_by_label("Text message to")).to_be_checked()
        expect(page.get_by_label("Reminders to fill in your headache diary")).not_to_be_checked()
        axe_clean(page, f"contact preferences saved ({size})")
        page.screenshot(path=str(screenshot_dir / f"contact-preferences-saved-{size}.png"), full_page=True)
    finally:
        page.close()
    pref = ContactPreference.objects.get(patient=world.patient)
    assert pref.channel == "sms" and pref.opted_out == ["diary"]
    assert (
        services.queue_for_patient(world.patient, kind="diary_nudge", key="d", subject="s", body="b") is None
    )

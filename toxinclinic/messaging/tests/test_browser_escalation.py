"""Browser journey (Chromium, phone and desktop): an urgent report's message lands in the outbox, is sent by
the worker, escalates to the next on-call contact when nobody acknowledges (time moved forward, not slept),
and stops when a nurse acknowledges on the triage item. Changed screens pass axe-core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, expect

from toxinclinic.accounts.locale import ClinicLocale, format_date, format_time
from toxinclinic.messaging import services
from toxinclinic.messaging.channels import key_filename
from toxinclinic.messaging.models import Escalation, EscalationStatus, Message, OnCallContact, Status
from toxinclinic.safety.models import TriageItem
from toxinclinic.testing import days_ago, sign_visit
from toxinclinic.testing.browser import axe_clean, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def run_worker() -> None:
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_urgent_report_lands_in_the_outbox_and_escalates(
    browser: Browser,
    live_server: Any,
    world: Any,
    settings: Any,
    tmp_path: Path,
    screenshot_dir: Path,
    size: str,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(tmp_path / "sms")},
        },
    }
    nurse, clinician = world.user("nurse"), world.user("clinician")
    nurse.email = "nurse@example.org"
    nurse.save()
    OnCallContact.objects.create(clinic=world.clinic, user=nurse, position=1, channel="email")
    OnCallContact.objects.create(
        clinic=world.clinic, user=clinician, position=2, channel="sms", address="+1 212 555 0142"
    )
    sign_visit(world.patient, days_ago(4), clinician)
    base = live_server.url
    viewport = VIEWPORTS[size]
    mobile = size == "phone"

    patient_ctx = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    patient = patient_ctx.new_page()
    login(patient, base, "patient")
    patient.goto(f"{base}/safety/report/")
    patient.get_by_text("Trouble breathing", exact=True).click()
    patient.get_by_role("button", name="Send to the clinic").click()
    expect(patient.get_by_role("alert")).to_contain_text("Get help now")
    story = patient.locator(
        "section", has=patient.get_by_role("heading", name="What happened to your report")
    )
    expect(story).to_contain_text("Being sent to Nurse Tester (nurse) by e-mail")
    # The emergency number comes before the story, on screen without scrolling.
    call = patient.get_by_role("link", name=f"Call {ClinicLocale.of(world.clinic).emergency_number}")  # 911
    box = call.bounding_box()
    assert box is not None and box["y"] + box["height"] < viewport["height"]
    assert box["y"] < (story.bounding_box() or {"y": 0})["y"]
    expect(patient.locator("main")).not_to_contain_text("alerted")
    axe_clean(patient, "urgent screen, queued")
    patient.screenshot(path=str(screenshot_dir / f"messaging-urgent-queued-{size}.png"), full_page=True)

    urgent = Message.objects.filter(kind="urgent_report")
    [first] = urgent
    assert first.status == Status.QUEUED and first.recipient_user == nurse
    run_worker()
    first.refresh_from_db()
    assert first.status == Status.SENT
    mails = [p.read_text() for p in (tmp_path / "mail").iterdir()]
    assert sum("To: nurse@example.org" in m for m in mails) == 1  # (the other is the patient's check-in)
    patient.reload()
    sent_at = format_time(first.sent_at, world.clinic)
    expect(story).to_contain_text(f"Sent to Nurse Tester (nurse) by e-mail at {sent_at}")
    expect(story).to_contain_text("If nobody does by")
    patient.screenshot(path=str(screenshot_dir / f"messaging-urgent-sent-{size}.png"), full_page=True)

    # Nobody acknowledges: 16 minutes later the sweep messages the next contact.
    later = timezone.now() + dt.timedelta(minutes=16)
    assert services.sweep(later)["escalation_steps"] == 1
    run_worker()
    second = urgent.exclude(pk=first.pk).get()
    assert second.recipient_user == clinician and second.status == Status.SENT
    assert (tmp_path / "sms" / key_filename(second.idempotency_key)).exists()

    staff_ctx = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    staff = staff_ctx.new_page()
    login(staff, base, "nurse")
    staff.get_by_role("link", name="Outbox").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Outbox")
    rows = staff.locator("tbody tr")
    expect(rows).to_have_count(3)  # the two on-call messages, and the patient's check-in reminder
    expect(rows.first).to_contain_text("Clinician Tester (clinician)")
    expect(rows.first).to_contain_text("text message")
    expect(staff.locator("tbody")).to_contain_text("Nurse Tester (nurse)")
    axe_clean(staff, "outbox")
    # Nothing wider than the screen: the status is readable without sideways scrolling.
    assert staff.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    staff.screenshot(path=str(screenshot_dir / f"messaging-outbox-{size}.png"), full_page=True)
    staff.get_by_role("link", name="Sent", exact=True).click()
    expect(rows).to_have_count(3)
    rows.first.get_by_role("link").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Urgent side-effect report to Clinician")
    expect(staff.locator("main")).to_contain_text("Delivered to the channel")
    axe_clean(staff, "outbox message")
    assert staff.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    staff.screenshot(path=str(screenshot_dir / f"messaging-message-{size}.png"), full_page=True)

    item = TriageItem.objects.get()
    staff.goto(f"{base}/safety/triage/{item.public_id}/")
    on_call = staff.locator("section", has=staff.get_by_role("heading", name="On-call messages"))
    expect(on_call.locator("li")).to_have_count(2)
    expect(on_call).to_contain_text("Nobody else is on the on-call list after this person.")
    staff.get_by_role("button", name="Acknowledge — I'm handling this").click()
    expect(on_call).to_contain_text("Acknowledged by Nurse Tester")
    expect(on_call).to_contain_text("nobody else will be messaged")
    axe_clean(staff, "triage item with on-call messages")
    staff.screenshot(path=str(screenshot_dir / f"messaging-triage-item-{size}.png"), full_page=True)
    assert Escalation.objects.get().status == EscalationStatus.ACKNOWLEDGED
    assert services.sweep(later + dt.timedelta(hours=1))["escalation_steps"] == 0

    patient.reload()
    expect(story).to_contain_text("Nurse Tester acknowledged your report at")
    axe_clean(patient, "urgent screen, acknowledged")
    patient.screenshot(path=str(screenshot_dir / f"messaging-urgent-acknowledged-{size}.png"), full_page=True)
    staff_ctx.close()
    patient_ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_urgent_report_while_the_clinic_is_closed_says_when_it_will_be_seen(
    browser: Browser,
    live_server: Any,
    world: Any,
    settings: Any,
    tmp_path: Path,
    screenshot_dir: Path,
    size: str,
) -> None:
    from toxinclinic.messaging.models import OpeningHours

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.user("nurse").email = "nurse@example.org"
    world.user("nurse").save()
    OnCallContact.objects.create(clinic=world.clinic, user=world.user("nurse"), position=1, channel="email")
    open_day = timezone.localdate() + dt.timedelta(days=2)
    OpeningHours.objects.create(
        clinic=world.clinic, weekday=open_day.weekday(), opens=dt.time(8, 30), closes=dt.time(17)
    )
    sign_visit(world.patient, days_ago(4), world.user("clinician"))
    viewport = VIEWPORTS[size]
    ctx = browser.new_context(viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone")
    page = ctx.new_page()
    login(page, live_server.url, "patient")
    page.goto(f"{live_server.url}/safety/report/")
    page.get_by_text("Trouble swallowing", exact=True).click()
    page.get_by_role("button", name="Send to the clinic").click()
    story = page.locator("section", has=page.get_by_role("heading", name="What happened to your report"))
    day, at = format_date(open_day, world.clinic, "weekday"), format_time(dt.time(8, 30), world.clinic)
    opens_words = f"{day} at {at}"
    expect(story).to_contain_text(f"Nobody will see your report until it opens on {opens_words}")
    expect(story).not_to_contain_text("Sent to")
    axe_clean(page, "urgent screen, clinic closed")
    page.screenshot(path=str(screenshot_dir / f"messaging-urgent-closed-{size}.png"), full_page=True)
    assert not Message.objects.filter(kind="urgent_report").exists()
    # The clinic opens: the sweep messages the first contact.
    opens = Escalation.objects.get().next_step_at
    assert services.sweep(opens + dt.timedelta(minutes=1))["escalation_steps"] == 1
    page.reload()
    expect(story).to_contain_text("Being sent to Nurse Tester (nurse) by e-mail")
    ctx.close()

"""The trends headline (engine's baseline vs last 28 days) on the patient's and the clinic's screens, the
staff view's tables shown once, the backfill form, and the calendar's first month."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from toxinclinic.diary import services
from toxinclinic.testing import days_ago, sign_visit, today, triptan

pytestmark = pytest.mark.django_db


def _save(patient: Any, d: dt.date, *, headache: bool, med: Any = None) -> None:
    if headache:
        day = services.DayInput(
            headache=True,
            duration_hours=6,
            severity="moderate",
            medications=[str(med.public_id)] if med else [],
        )
    else:
        day = services.DayInput(headache=False)
    services.save_day(patient, services.validate_day(patient, d, day, today=d), actor=None)


def _diary(patient: Any) -> None:
    """28 days before a session 60 days ago with 20 headache days (triptan each), the last 28 with 10."""
    med = triptan(patient)
    first = days_ago(60)
    patient.enrolled_on = first - dt.timedelta(days=28)
    patient.save()
    for i in range(28):
        _save(patient, first - dt.timedelta(days=28 - i), headache=i < 20, med=med)
    for i in range(28):
        _save(patient, days_ago(27 - i), headache=i < 10, med=med)
    sign_visit(patient, first)


def test_the_patient_sees_baseline_against_the_last_28_days(client_as: Any, world: Any) -> None:
    _diary(world.patient)
    page = client_as("patient").get("/diary/trends/").content.decode()
    head = page.split('id="headline-h"', 1)[1].split("</section>", 1)[0]
    assert "Before treatment and now" in page
    # 20 headache days per 28 before, 10 now: the engine's -50 %.
    assert re.search(r"Headache</th><td>20.0</td><td>10.0</td>\s*<td><strong class=\"better\">-50%", head), (
        head
    )
    assert "Acute medicine</th>" in head
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", " ", head))


def test_the_headline_says_why_it_cannot_compare_yet(client_as: Any, world: Any) -> None:
    page = client_as("patient").get("/diary/trends/").content.decode()
    assert "No injection yet." in page
    sign_visit(world.patient, days_ago(10))
    page = client_as("patient").get("/diary/trends/").content.decode()
    assert "appears once 28 days have passed" in page


def test_staff_view_shows_each_table_once_and_the_headline(client_as: Any, world: Any) -> None:
    _diary(world.patient)
    page = client_as("clinician").get(f"/diary/patients/{world.patient.public_id}/").content.decode()
    assert (
        page.count('aria-label="Monthly headache and migraine days"') == 0
    )  # the chart's table: not repeated
    assert page.count("Monthly numbers table") == 1
    assert page.count('id="headline-h"') == 1 and "-50%" in page
    assert "<img" in page and "trend.svg" in page  # the chart itself stays


def test_a_past_days_form_is_open_and_not_a_toggle(client_as: Any, world: Any) -> None:
    world.patient.enrolled_on = days_ago(30)
    world.patient.save()
    c = client_as("patient")
    past = c.get(f"/diary/day/{days_ago(2).isoformat()}/").content.decode()
    # Already open: a plain section, so the first tap on its heading cannot close it.
    assert '<section class="card headache-form"' in past and "<summary" not in past
    today_page = c.get("/diary/").content.decode()
    assert '<details class="card headache-form">' in today_page  # today: one tap on "No headache" first


def test_the_calendar_opens_on_this_month(client_as: Any, world: Any) -> None:
    world.patient.enrolled_on = days_ago(120)
    world.patient.save()
    page = client_as("patient").get("/diary/calendar/").content.decode()
    assert f"<caption>{today():%B %Y}</caption>" in page

"""The patient's diary screens and the clinic's view of a diary."""

from __future__ import annotations

import re
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.diary import services
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.diary.tests.helpers import overuse_diary
from toxinclinic.testing import days_ago, sign_visit, today, triptan

pytestmark = pytest.mark.django_db


def test_one_tap_no_headache(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    r = client.post(f"/diary/day/{today()}/", {"headache": "no"})
    assert r.status_code == 302 and r.url == "/diary/"
    e = DiaryEntry.objects.get(patient=world.patient, date=today())
    assert (e.headache, e.headache_day, e.severity) == (False, False, "none")
    page = client.get("/diary/").content.decode()
    assert "Logged: no headache" in page


def test_form_saves_a_migraine_day_with_a_triptan(client_as: Any, world: Any) -> None:
    med = triptan(world.patient)
    r = client_as("patient").post(
        f"/diary/day/{today()}/",
        {
            "headache": "yes",
            "duration_hours": "7.5",
            "severity": "severe",
            "features": ["unilateral", "pulsating", "nausea", "photophobia"],
            "medications": [str(med.public_id)],
            "relieved_by_acute": "yes",
            "note": "woke with it",
        },
    )
    assert r.status_code == 302
    e = DiaryEntry.objects.get(patient=world.patient, date=today())
    assert e.migraine_day and e.triptan_or_ergot_day and e.relieved_by_acute
    assert e.duration_hours == 7.5 and e.note == "woke with it"
    assert e.acute_medications == [{"id": str(med.public_id), "name": "Sumatriptan", "drug_class": "triptan"}]


def test_backfill_lists_missing_days_and_moves_to_the_next(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    page = client.get("/diary/").content.decode()
    assert "Days to fill in" in page
    assert f"/diary/day/{days_ago(1)}/" in page
    assert f"/diary/day/{days_ago(14)}/" in page
    assert f"/diary/day/{days_ago(15)}/" not in page
    r = client.post(f"/diary/day/{days_ago(3)}/", {"headache": "no"})
    # Saving a missed day goes on to the newest day still missing.
    assert r.status_code == 302 and r.url == f"/diary/day/{days_ago(1)}/"
    assert days_ago(3) not in services.missing_days(world.patient)


def test_calendar_marks_classes_and_injections(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, today(), world.user("clinician"))
    client = client_as("patient")
    client.post(f"/diary/day/{today()}/", {"headache": "no"})
    page = client.get("/diary/calendar/").content.decode()
    assert 'class="none inj"' in page
    assert "injection day" in page
    assert "Not recorded" in page  # legend: colour is never the only cue
    prev = services.shift_month(today().replace(day=1), -1)
    assert f"?month={prev:%Y-%m}" in page


def test_trends_chart_and_table(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(40), world.user("clinician"))
    before = days_ago(45)  # a baseline day, entered as it would have been on that day
    services.save_day(
        world.patient,
        services.validate_day(world.patient, before, services.DayInput(headache=False), today=before),
        actor=None,
    )
    client = client_as("patient")
    client.post(f"/diary/day/{today()}/", {"headache": "no"})
    page = client.get("/diary/trends/").content.decode()
    assert "baseline" in page
    assert "<progress" in page and "days recorded" in page
    assert "the table below lists the same numbers" in page
    assert "after injection 1" in page
    r = client.get(f"/diary/chart/{world.patient.public_id}/trend.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in r.content and b"Headache days" in r.content and b"Inj 1" in r.content
    again = client.get(f"/diary/chart/{world.patient.public_id}/trend.svg", HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304


def test_medication_overuse_shown_to_clinicians_only(client_as: Any, world: Any) -> None:
    overuse_diary(world.patient)
    verdict = services.medication_overuse(world.patient)
    assert verdict.status == "met"
    page = client_as("clinician").get(f"/diary/patients/{world.patient.public_id}/").content.decode()
    assert "Medication overuse" in page
    # The verdict in words, each judged month by its name, never "met" codes or ISO months.
    assert "Criteria for medication-overuse headache are met in each of the last 3 months." in page
    moh = page.split('id="moh-h"', 1)[1].split("</section>", 1)[0]
    assert ": criteria met</h3>" in moh and not re.search(r"\b\d{4}-\d{2}\b", moh), moh
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", moh), moh
    home = client_as("nurse").get("/home/").content.decode()
    assert "Possible medication overuse" in home and "Lovelace, Ada" in home
    # The coordinator sees the diary but not the flag; the patient never sees it anywhere.
    coord = client_as("coordinator").get(f"/diary/patients/{world.patient.public_id}/").content.decode()
    assert "Monthly numbers" in coord and "Medication overuse" not in coord
    patient = client_as("patient")
    for url in ("/home/", "/diary/", "/diary/trends/", "/diary/calendar/"):
        body = patient.get(url).content.decode().lower()
        assert "overuse" not in body, url
    assert patient.get("/api/v1/diary/summary").json()["medication_overuse"] is None
    staff = client_as("clinician").get(f"/api/v1/diary/patients/{world.patient.public_id}/summary").json()
    assert staff["medication_overuse"]["status"] == "met"


def test_staff_read_of_a_diary_is_audited(client_as: Any, world: Any) -> None:
    client_as("nurse").get(f"/diary/patients/{world.patient.public_id}/")
    ev = AuditEvent.objects.filter(action="chart.viewed", patient_id=world.patient.pk).first()
    assert ev is not None and ev.data == {"what": "diary"}

"""Reporting side effects: urgent ones show the call-now screen and top the clinic's queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.safety.models import CheckIn, SideEffectReport, TriageItem
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db


def test_urgent_symptom_shows_the_urgent_screen_and_queues_an_urgent_item(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(5))
    client = client_as("patient")
    r = client.post("/safety/report/", {"symptoms": ["trouble_swallowing"]})
    assert r.status_code == 302
    page = client.get(r.url).content.decode()
    assert 'role="alert"' in page and "Get help now" in page
    assert 'href="tel:911"' in page and "Call 911" in page
    assert 'href="tel:02000000001"' in page  # the clinic's phone
    item = TriageItem.objects.get(patient=world.patient)
    assert (item.level, item.priority, item.status) == ("urgent", 0, "open")
    rep = SideEffectReport.objects.get()
    assert rep.days_since_injection == 5 and rep.advice == "emergency"
    assert any("life-threatening" in x for x in rep.reasons)
    assert AuditEvent.objects.filter(action="side_effect.reported").exists()
    assert AuditEvent.objects.filter(action="triage.item_created").exists()


def test_routine_symptom_is_recorded_for_review(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(2))
    client = client_as("patient")
    r = client.post("/safety/report/", {"symptoms": ["injection_site_pain", "neck_pain"]})
    page = client.get(r.url).content.decode()
    assert "Get help now" not in page
    assert "the clinic has your report" in page and "usually settle" in page
    assert TriageItem.objects.get().level == "routine"


def test_drooping_eyelid_means_call_the_clinic(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(9))
    r = client_as("patient").post(
        "/api/v1/side-effects",
        data=json.dumps({"symptoms": ["drooping_eyelid"]}),
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert (body["level"], body["advice"]) == ("routine", "call_clinic")
    assert "call the clinic on 020 0000 0001" in body["advice_text"].lower()


def test_api_urgent_report_carries_numbers(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(4))
    r = client_as("patient").post(
        "/api/v1/side-effects",
        data=json.dumps({"symptoms": ["hives", "wheeze"]}),
        content_type="application/json",
    )
    body = r.json()
    assert body["level"] == "urgent" and body["contact"] == {
        "emergency_number": "911",
        "clinic_phone": "020 0000 0001",
    }


def test_unknown_symptom_and_empty_report_refused(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(4))
    client = client_as("patient")
    r = client.post(
        "/api/v1/side-effects", data=json.dumps({"symptoms": ["itchy_toes"]}), content_type="application/json"
    )
    assert r.status_code == 422 and "Unknown symptom 'itchy_toes'" in r.json()["detail"][0]["msg"]
    r = client.post(
        "/api/v1/side-effects", data=json.dumps({"symptoms": []}), content_type="application/json"
    )
    assert r.status_code == 422 and "Choose at least one symptom" in r.json()["detail"][0]["msg"]
    assert not SideEffectReport.objects.exists() and not TriageItem.objects.exists()


def test_no_session_no_report(client_as: Any, world: Any) -> None:
    r = client_as("patient").post("/safety/report/", {"symptoms": ["neck_pain"]})
    assert r.status_code == 400
    assert "No injection is on record" in r.content.decode()
    assert not SideEffectReport.objects.exists()


def test_check_in_fine_and_check_in_with_symptom(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(14))
    client = client_as("patient")
    day3, day14 = CheckIn.objects.order_by("day_offset")
    # Day 3 was 11 days ago: closed (open for 7 days). Day 14 is open today.
    assert client.get(f"/safety/check-ins/{day3.public_id}/").content.decode().count("has closed") == 1
    r = client.post(f"/safety/check-ins/{day14.public_id}/", {"fine": "1"})
    assert r.status_code == 302
    day14.refresh_from_db()
    assert day14.status == "answered" and not SideEffectReport.objects.exists()
    again = client.post(
        f"/api/v1/check-ins/{day14.public_id}",
        data=json.dumps({"symptoms": ["neck_pain"]}),
        content_type="application/json",
    )
    assert again.status_code == 422 and "already answered" in again.json()["detail"][0]["msg"]


def test_check_in_with_urgent_symptom_goes_to_urgent_screen(client_as: Any, world: Any) -> None:
    sign_visit(world.patient, days_ago(3))
    ci = CheckIn.objects.get(day_offset=3)
    client = client_as("patient")
    r = client.post(f"/safety/check-ins/{ci.public_id}/", {"symptoms": ["trouble_breathing"]})
    assert "Get help now" in client.get(r.url).content.decode()
    rep = SideEffectReport.objects.get()
    assert rep.source == "check_in" and rep.check_in == ci
    ci.refresh_from_db()
    assert ci.status == "answered"

"""The top room composes the patient's home from several workflows; each workflow only plugs in."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.outcomes.services import submit
from toxinclinic.patients.models import PatientIndication
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db


def _migraine(patient: Any) -> None:
    PatientIndication.objects.create(patient=patient, indication="chronic_migraine", icd10="G43.709")


def test_patient_home_joins_check_ins_questionnaires_diary_and_treatment(client_as: Any, world: Any) -> None:
    _migraine(world.patient)
    sign_visit(world.patient, days_ago(3))
    page = client_as("patient").get("/home/").content.decode()
    assert "What the clinic needs from you" in page
    assert "Answer your day-3 check-in" in page  # safety
    assert "Answer the PGIC questionnaire" not in page  # outcomes: not due before day 14
    assert "missing diary day" in page  # diary
    assert "My treatment" in page  # treatment status
    # Another patient's home shows none of it.
    other = client_as("patient2").get("/home/").content.decode()
    assert "Answer your day-3 check-in" not in other


def test_staff_home_has_no_patient_cards(client_as: Any, world: Any) -> None:
    page = client_as("nurse").get("/home/").content.decode()
    assert "What the clinic needs from you" not in page and "My treatment" not in page


def test_to_do_api(client_as: Any, world: Any) -> None:
    _migraine(world.patient)
    sign_visit(world.patient, days_ago(3))
    body = client_as("patient").get("/api/v1/to-do").json()
    assert set(body["questionnaires_due"]) == set()  # before day 14 after an injection nothing is due
    assert [c["day_offset"] for c in body["check_ins_open"]] == [3]
    assert body["today_recorded"] is False and body["missing_diary_days"]
    assert client_as("nurse").get("/api/v1/to-do").status_code == 403


def test_outcomes_plugs_its_questionnaires_into_the_diary_patient_page(client_as: Any, world: Any) -> None:
    url = f"/diary/patients/{world.patient.public_id}/"
    page = client_as("clinician").get(url).content.decode()
    assert "Questionnaires" in page and "No questionnaires answered yet." in page
    submit(world.patient, "midas", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "a": 1, "b": 1}, actor=None)
    page = client_as("clinician").get(url).content.decode()
    assert "MIDAS history table" in page

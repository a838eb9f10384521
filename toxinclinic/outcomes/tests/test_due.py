"""When questionnaires fall due: baseline, before each re-injection, PGIC after treatment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from toxinclinic.outcomes.services import due_for, submit
from toxinclinic.patients.models import PatientIndication
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db


def keys(patient: Any) -> set[str]:
    return {d.instrument.key for d in due_for(patient)}


def migraine(patient: Any) -> None:
    PatientIndication.objects.create(patient=patient, indication="chronic_migraine", icd10="G43.709")


def test_baseline_due_until_answered(world: Any) -> None:
    migraine(world.patient)
    assert keys(world.patient) == {"midas", "hit6"}
    submit(world.patient, "midas", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "a": 1, "b": 1}, actor=None)
    assert keys(world.patient) == {"hit6"}


def test_dystonia_instruments(world: Any) -> None:
    PatientIndication.objects.create(patient=world.patient, indication="cervical_dystonia", icd10="G24.3")
    assert keys(world.patient) == {"twstrs", "pain_nrs"}


def test_nothing_between_sessions_then_due_before_reinjection(world: Any) -> None:
    migraine(world.patient)
    sign_visit(world.patient, days_ago(30))
    # day 30: PGIC is due (from day 14), MIDAS/HIT-6 not yet (from day 84 - 14 = 70).
    assert keys(world.patient) == {"pgic"}
    submit(world.patient, "pgic", {"change": 2}, actor=None)
    assert keys(world.patient) == set()


def test_due_in_the_fortnight_before_the_window(world: Any) -> None:
    migraine(world.patient)
    sign_visit(world.patient, days_ago(71))
    submit(world.patient, "pgic", {"change": 3}, actor=None)
    due = {d.instrument.key: d for d in due_for(world.patient)}
    assert set(due) == {"midas", "hit6"}
    assert due["midas"].timepoint == "pre_injection"
    r = submit(world.patient, "hit6", {f"q{i}": "sometimes" for i in range(1, 7)}, actor=None)
    assert r.timepoint == "pre_injection"
    assert keys(world.patient) == {"midas"}


@override_settings(TOXINCLINIC_QUESTIONNAIRE_BEFORE_WINDOW_DAYS=0, TOXINCLINIC_PGIC_AFTER_DAYS=40)
def test_due_rules_are_configurable(world: Any) -> None:
    migraine(world.patient)
    sign_visit(world.patient, days_ago(71))
    assert keys(world.patient) == {"pgic"}


def test_due_questionnaire_on_the_dashboard(client_as: Any, world: Any) -> None:
    migraine(world.patient)
    page = client_as("patient").get("/home/").content.decode()
    assert "What the clinic needs from you" in page
    assert "Answer the MIDAS questionnaire" in page and "baseline, before treatment" in page

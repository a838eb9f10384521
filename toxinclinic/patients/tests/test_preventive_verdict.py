"""The chart shows the engine's preventive-failure verdict to staff (2 classes by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.patients.eligibility import preventive_verdict
from toxinclinic.patients.models import PreventiveTrial


def _trial(patient: Any, drug: str, cls: str, weeks: int, outcome: str, target: bool = True) -> None:
    start = dt.date(2024, 1, 1)
    PreventiveTrial.objects.create(
        patient=patient,
        drug=drug,
        drug_class=cls,
        started_on=start,
        ended_on=start + dt.timedelta(weeks=weeks),
        at_target_dose=target,
        outcome=outcome,
    )


def test_two_adequate_failures_meet_the_criterion(world: Any, client_as: Any) -> None:
    _trial(world.patient, "Topiramate", "anticonvulsant", 8, "ineffective")
    _trial(world.patient, "Propranolol", "beta_blocker", 12, "ineffective")
    verdict, skipped = preventive_verdict(world.patient)
    assert verdict.met and verdict.numbers["failed_class_count"] == 2 and skipped == []
    page = client_as("clinician").get(f"/patients/{world.patient.public_id}/").content.decode()
    assert "criterion met" in page and "2 preventive classes failed" in page


def test_short_trial_does_not_count_and_ongoing_is_skipped(world: Any) -> None:
    _trial(world.patient, "Topiramate", "anticonvulsant", 7, "ineffective")  # < 8 weeks
    _trial(world.patient, "Propranolol", "beta_blocker", 12, "ineffective")
    _trial(world.patient, "Erenumab", "cgrp_mab", 4, "ongoing")
    verdict, skipped = preventive_verdict(world.patient)
    assert not verdict.met and verdict.numbers["failed_class_count"] == 1
    assert skipped == ["Erenumab: ongoing, not yet a failure"]


def test_patient_sees_trials_but_not_the_payer_verdict(world: Any, client_as: Any) -> None:
    _trial(world.patient, "Topiramate", "anticonvulsant", 8, "ineffective")
    page = client_as("patient").get("/home/").content.decode()
    assert "Topiramate" in page and "preventive-verdict" not in page

"""Screening is prefilled from the chart and the last visit; every item's status and reason come from the
engine; a contraindication stops signing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.patients.models import Allergy, Medication
from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def test_prefill_from_chart_and_history(world: Any, client_as: Any) -> None:
    Medication.objects.create(patient=world.patient, name="Apixaban", drug_class="anticoagulant")
    v = svc.create_visit(
        world.patient,
        actor=world.user("nurse"),
        visit_date=timezone.localdate(),
        indication="chronic_migraine",
        product="botox",
    )
    answers, sources = svc.screening_prefill(v)
    assert answers["anticoagulant_or_antiplatelet"] is True
    assert sources["anticoagulant_or_antiplatelet"] == "chart: Apixaban (Anticoagulant)"
    assert answers["infection_at_site"] is False
    data = client_as("nurse").get(f"/api/v1/visits/{v.public_id}/screening").json()
    item = next(i for i in data["items"] if i["key"] == "anticoagulant_or_antiplatelet")
    assert item["status"] == "concern"
    assert "prescriber's decision" in item["reason"] and "do not advise the patient to stop" in item["reason"]
    keys = [i["key"] for i in data["items"]]
    assert "time_since_last_toxin" in keys and "cumulative_3_months" in keys
    page = client_as("nurse").get(f"/visits/{v.public_id}/screening/").content.decode()
    assert "from chart: Apixaban (Anticoagulant)" in page
    assert "From the chart" in page and "prescriber&#x27;s decision" in page


def test_hypersensitivity_stops_signing(world: Any, client_as: Any) -> None:
    Allergy.objects.create(patient=world.patient, substance="Botox", botulinum_toxin=True)
    v = prepared_visit(world, answers={"hypersensitivity_to_toxin": True})
    resp = client_as("clinician").post(
        f"/api/v1/visits/{v.public_id}/signature",
        json.dumps({"version": v.version, "acknowledge_warnings": True, "overrides": {}}),
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert "Contraindicated: hypersensitivity" in resp.content.decode()


def test_answers_carry_over_from_the_last_visit(world: Any) -> None:
    first = prepared_visit(world, answers={"breastfeeding": True, "infection_at_site": False})
    svc.sign_visit(first, world.user("clinician"), expected_version=first.version, acknowledge_warnings=True)
    nxt = svc.create_visit(
        world.patient,
        actor=world.user("nurse"),
        visit_date=timezone.localdate(),
        indication="chronic_migraine",
        product="botox",
    )
    answers, sources = svc.screening_prefill(nxt)
    assert answers["breastfeeding"] and sources["breastfeeding"].startswith("last visit")
    items = {i["key"]: i for i in svc.history_items(nxt)}
    assert items["time_since_last_toxin"]["status"] == "stop"  # same day: inside the 84-day interval
    assert "minimum interval 84 days" in items["time_since_last_toxin"]["reason"]

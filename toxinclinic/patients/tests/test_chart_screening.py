"""The chart raises the engine's screening concerns: anticoagulants, aminoglycosides, toxin allergy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.patients.models import Allergy, HistoryItem, Medication
from toxinclinic.patients.screening import chart_answers, chart_concerns


def test_clean_chart_raises_nothing(world: Any) -> None:
    Medication.objects.create(patient=world.patient, name="Sumatriptan", drug_class="triptan")
    assert chart_concerns(world.patient) == []


def test_anticoagulant_and_aminoglycoside_are_flagged_with_their_source(world: Any) -> None:
    Medication.objects.create(patient=world.patient, name="Apixaban", drug_class="anticoagulant")
    Medication.objects.create(patient=world.patient, name="Gentamicin", drug_class="aminoglycoside")
    Medication.objects.create(
        patient=world.patient, name="Warfarin", drug_class="anticoagulant", stopped_on=dt.date(2024, 1, 1)
    )
    chart = chart_answers(world.patient)
    assert chart.answers == {"anticoagulant_or_antiplatelet": True, "neuromuscular_blocking_drugs": True}
    added = format_date(timezone.localdate())
    # The source names the row and when it was added; the stopped warfarin is ignored.
    assert (
        chart.source("anticoagulant_or_antiplatelet")
        == f"Yes — Apixaban on the medication list, added {added}"
    )
    assert chart.source("muscle_relaxants") is None  # nothing recorded: no answer, not a "no"
    concerns = chart_concerns(world.patient)
    assert {c["status"] for c in concerns} == {"concern"}
    assert any("prescriber's decision" in str(c["reason"]) for c in concerns)


def test_toxin_allergy_is_a_stop_and_shows_on_the_chart(world: Any, client_as: Any) -> None:
    Allergy.objects.create(patient=world.patient, substance="Human albumin", botulinum_toxin=True)
    HistoryItem.objects.create(patient=world.patient, condition="myasthenia_gravis")
    statuses = {c["status"] for c in chart_concerns(world.patient)}
    assert statuses == {"stop", "concern"}
    page = client_as("nurse").get(f"/patients/{world.patient.public_id}/").content.decode()
    assert "Contraindicated: hypersensitivity" in page and "Human albumin" in page
    assert "Neuromuscular junction disorder" in page


def test_staff_chart_links_to_visits_diary_and_questionnaires(world: Any, client_as: Any) -> None:
    pid = world.patient.public_id
    page = client_as("clinician").get(f"/patients/{pid}/").content.decode()
    for href in (f"/visits/patient/{pid}/", f"/diary/patients/{pid}/", f"/questionnaires/patients/{pid}/"):
        assert href in page
    assert "/diary/patients/" not in client_as("patient").get(f"/patients/{pid}/").content.decode()

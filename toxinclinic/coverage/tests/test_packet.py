"""The packet: every number from the engine with its source, what is missing said; as JSON and PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest

from toxinclinic.coordinator.tests.clinic import diary, session
from toxinclinic.coverage import packet
from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
from toxinclinic.diary.months import refresh_month
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import PatientIndication, PreventiveTrial
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def _months(p: Any, days: int) -> None:
    diary(p, days)
    d = today()
    seen = set()
    for i in range(days):
        day = d - dt.timedelta(days=i)
        if (day.year, day.month) not in seen:
            seen.add((day.year, day.month))
            refresh_month(p, day)


def test_a_short_baseline_is_said_not_left_out(world: Any) -> None:
    p = world.patient
    _months(p, 12)
    data = packet.build(p)
    assert data["diagnosis"]["icd10"] is None
    assert any("no indication with an ICD-10 code" in m for m in data["missing"])
    assert any("at least 28 are needed" in m for m in data["baseline_diary"]["missing"])
    assert data["renewal"] is None
    assert data["planned_procedure"]["procedure_code"] == "64615"
    assert (
        data["planned_procedure"]["drug_code"] == "J0585"
        and data["planned_procedure"]["drug_billing_units"] == 155
    )


def test_renewal_carries_the_engines_continuation_numbers(world: Any) -> None:
    p = world.patient
    p.enrolled_on = today() - dt.timedelta(days=400)
    p.save()
    _months(p, 300)
    session(p, 200)
    session(p, 110)
    PatientIndication.objects.create(
        patient=p, clinic=p.clinic, indication="chronic_migraine", icd10="G43.709"
    )
    PreventiveTrial.objects.create(
        patient=p,
        clinic=p.clinic,
        drug="Topiramate",
        drug_class="anticonvulsant",
        at_target_dose=True,
        started_on=today() - dt.timedelta(days=600),
        ended_on=today() - dt.timedelta(days=500),
        outcome="ineffective",
    )
    PriorAuthorization.objects.create(
        patient=p,
        clinic=p.clinic,
        payer="Acme Health",
        status=AuthStatus.APPROVED,
        units_per_session=155,
        visits_approved=2,
        starts_on=today() - dt.timedelta(days=210),
        ends_on=today() + dt.timedelta(days=10),
        renewal=True,
    )
    data = packet.build(p)
    assert data["diagnosis"]["icd10"] == "G43.709"
    r = data["renewal"]
    assert r["cycles"] == 2 and r["baseline_headache_days_per_30"] is not None
    # the diary has the same pattern throughout: no reduction, so the engine says stop, with its numbers
    assert r["verdict"]["decision"] == "stop" and r["verdict"]["numbers"][
        "percent_reduction"
    ] == pytest.approx(0, abs=5)
    assert any("no response before and after" in m for m in r["missing"])  # no questionnaires: said
    # MIDAS 30 -> 10 (67% less, >= 30% at a baseline above 20): a responder by the scale, with its numbers
    for total, on, tp in ((30, 300, "baseline"), (10, 20, "pre_injection")):
        QuestionnaireResponse.objects.create(
            patient=p, clinic=p.clinic, instrument="midas", answers={}, total=total, timepoint=tp,
            completed_on=today() - dt.timedelta(days=on),
        )  # fmt: skip
    r = packet.build(p)["renewal"]
    assert r["verdict"]["decision"] == "continue" and r["verdict"]["numbers"]["midas"] == {
        "before": 30,
        "after": 10,
        "reduction": 20,
    }
    assert r["questionnaires"][0]["instrument"] == "MIDAS"
    assert data["prior_preventives"]["trials"][0]["counts_as_failure"] is True
    assert data["authorization"]["visits_left"] == 0


def test_pdf_and_json_downloads(world: Any, client_as: Any, tmp_path: Any) -> None:
    p = world.patient
    _months(p, 40)
    PriorAuthorization.objects.create(patient=p, clinic=p.clinic, payer="Acme Health")
    c = client_as("coordinator")
    j = c.get(f"/coverage/patients/{p.public_id}/packet.json")
    assert j.status_code == 200 and j.json()["schema"] == packet.SCHEMA
    r = c.get(f"/coverage/patients/{p.public_id}/packet.pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    f = tmp_path / "p.pdf"
    f.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, check=True).stdout
    assert "Prior authorization packet for Acme Health" in text
    assert "64615" in text and "J0585" in text and "What is missing" in text
    assert client_as("other_clinician").get(f"/coverage/patients/{p.public_id}/packet.pdf").status_code == 404

"""The safety banner on every screen where a dose can be decided: the chart, each visit step, the sign
page, the triage item and the clinician's diary view; its facts come from the chart, the toxin history
and the triage queue, and blocking items are marked (not by colour alone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.patients.banner import safety_banner
from toxinclinic.patients.models import Allergy, HistoryItem, Medication
from toxinclinic.safety.models import SideEffectReport, TriageItem, TriageStatus
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.visits.models import OutsideInjection
from toxinclinic.visits.tests.helpers import draft_visit, prepared_visit

pytestmark = pytest.mark.django_db


def _urgent_report(world: Any, status: str = TriageStatus.OPEN) -> TriageItem:
    p = world.patient
    session = TreatmentSession.objects.create(
        patient=p,
        clinic=p.clinic,
        visit_id="5e0b2c7e-0000-4000-8000-00000000abcd",
        injected_on=timezone.localdate() - dt.timedelta(days=5),
        product="botox",
        indication="chronic_migraine",
        total_units=155,
    )
    rep = SideEffectReport.objects.create(
        patient=p,
        clinic=p.clinic,
        session=session,
        symptoms=["trouble_breathing"],
        days_since_injection=5,
        level="urgent",
        advice="emergency",
        reasons=["Trouble breathing after a toxin injection is urgent."],
    )
    return TriageItem.objects.create(
        report=rep,
        patient=p,
        clinic=p.clinic,
        level="urgent",
        priority=0,
        reported_at=rep.reported_at,
        status=status,
    )


def _chart_facts(world: Any) -> None:
    p = world.patient
    Allergy.objects.create(patient=p, substance="Human albumin", botulinum_toxin=True, reaction="hives")
    Allergy.objects.create(patient=p, substance="Penicillin")
    Medication.objects.create(patient=p, name="Warfarin", drug_class="anticoagulant")
    Medication.objects.create(patient=p, name="Gentamicin", drug_class="aminoglycoside")
    HistoryItem.objects.create(patient=p, condition="myasthenia_gravis")
    OutsideInjection.objects.create(
        patient=p,
        given_on=timezone.localdate() - dt.timedelta(days=30),
        product="dysport",
        units=Decimal(300),
        indication="cosmetic",
        where="High Street Aesthetics",
        recorded_by=world.user("nurse"),
    )


def test_banner_items_come_from_the_chart_history_and_queue(world: Any) -> None:
    _chart_facts(world)
    _urgent_report(world)
    b = safety_banner(world.patient)
    texts = {i.kind: i.text for i in b.items}
    assert texts["toxin_allergy"] == "Human albumin (hives): contraindicated."
    assert texts["allergies"] == "Penicillin"
    assert texts["urgent_report"].endswith(": trouble breathing (not yet acknowledged).")
    day = format_date(timezone.localdate() - dt.timedelta(days=30))
    assert texts["last_injection"].startswith(f"{day}, Dysport 300 U, 30 days ago; the next window opens ")
    assert {i.kind for i in b.blocking} == {"toxin_allergy", "urgent_report", "last_injection"}
    assert [i.level for i in b.items][:3] == ["stop"] * 3


def test_a_closed_report_and_a_stopped_medicine_leave_the_banner(world: Any) -> None:
    _urgent_report(world, status=TriageStatus.CLOSED)
    Medication.objects.create(
        patient=world.patient, name="Warfarin", drug_class="anticoagulant", stopped_on=dt.date(2025, 1, 1)
    )
    b = safety_banner(world.patient)
    assert not b.blocking and {i.kind for i in b.items} == {"allergies", "last_injection"}


def test_banner_on_every_screen_where_a_dose_is_decided(world: Any, client_as: Any) -> None:
    _chart_facts(world)
    item = _urgent_report(world)
    v = prepared_visit(world)
    pages = {
        "chart": f"/patients/{world.patient.public_id}/",
        "screening": f"/visits/{v.public_id}/screening/",
        "consent": f"/visits/{v.public_id}/consent/",
        "map": f"/visits/{v.public_id}/chart/",
        "vials": f"/visits/{v.public_id}/vials/",
        "sign": f"/visits/{v.public_id}/sign/",
        "triage": f"/safety/triage/{item.public_id}/",
        "diary": f"/diary/patients/{world.patient.public_id}/",
    }
    c = client_as("clinician")
    for name, url in pages.items():
        resp = c.get(url)
        assert resp.status_code == 200, (name, resp.status_code)
        html = resp.content.decode()
        assert html.count('class="safety-banner has-blocking"') == 1, name
        assert "Safety — 3 blocking items" in html, name
        assert "Open urgent side-effect report:</strong> Reported" in html, name
        assert "Warfarin on the medication list" in html and "Gentamicin on the medication list" in html, name
        assert "Myasthenia gravis in the history" in html, name
    # The patient's own chart shows no staff banner.
    own = client_as("patient").get(f"/patients/{world.patient.public_id}/")
    assert own.status_code == 200 and "safety-banner" not in own.content.decode()


def test_clean_chart_shows_a_quiet_banner(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    html = client_as("nurse").get(f"/visits/{v.public_id}/screening/").content.decode()
    assert 'class="safety-banner"' in html and "blocking" not in html.split("safety-banner", 1)[1][:200]
    assert "Other allergies:</strong> None recorded." in html
    assert "Last toxin injection:</strong> None recorded here or elsewhere." in html

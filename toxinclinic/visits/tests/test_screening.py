"""Screening: nothing starts answered unless the chart holds the fact (and then it names its source);
saving with any question unanswered is refused, listing each one, in the form and the API, and stores
nothing; pregnancy is not asked of a man; every result reads as a clinician writes it; a
contraindication stops signing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.models import AuditEvent
from toxinclinic.clinical import screening
from toxinclinic.patients.models import Allergy, Medication
from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import all_answered, draft_visit, prepared_visit

pytestmark = pytest.mark.django_db


def _today() -> str:
    return format_date(timezone.localdate())


def _put(client: Any, v: Any, answers: dict[str, Any]) -> Any:
    return client.put(
        f"/api/v1/visits/{v.public_id}/screening",
        json.dumps({"version": v.version, "answers": answers}),
        content_type="application/json",
    )


def test_nothing_is_prefilled_without_a_chart_fact(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    prefill = svc.screening_prefill(v)
    assert prefill.answers == {} and prefill.sources == {}
    assert prefill.hints["muscle_relaxants"] == "Nothing recorded on the chart — ask the patient."
    data = client_as("nurse").get(f"/api/v1/visits/{v.public_id}/screening").json()
    assert set(data["answers"]) == set(screening.KEYS) and set(data["answers"].values()) == {None}
    assert {i["status"] for i in data["items"] if i["key"] in screening.KEYS} == {"unanswered"}
    page = client_as("nurse").get(f"/visits/{v.public_id}/screening/").content.decode()
    assert " checked" not in page  # no radio starts selected
    assert "Nothing recorded on the chart — ask the patient." in page


def test_a_chart_fact_starts_answered_and_names_its_source(world: Any, client_as: Any) -> None:
    Medication.objects.create(patient=world.patient, name="Warfarin", drug_class="anticoagulant")
    v = draft_visit(world)
    prefill = svc.screening_prefill(v)
    src = f"Yes — Warfarin on the medication list, added {_today()}"
    assert prefill.answers == {"anticoagulant_or_antiplatelet": True}
    assert prefill.sources["anticoagulant_or_antiplatelet"] == src
    data = client_as("nurse").get(f"/api/v1/visits/{v.public_id}/screening").json()
    assert data["answers"]["anticoagulant_or_antiplatelet"] is True and data["answers"]["pregnant"] is None
    assert data["sources"]["anticoagulant_or_antiplatelet"] == src
    item = next(i for i in data["items"] if i["key"] == "anticoagulant_or_antiplatelet")
    assert item["status"] == "concern" and item["source"] == src
    assert "prescriber's decision" in item["reason"] and "do not advise the patient to stop" in item["reason"]
    keys = [i["key"] for i in data["items"]]
    assert "time_since_last_toxin" in keys and "cumulative_3_months" in keys
    page = client_as("nurse").get(f"/visits/{v.public_id}/screening/").content.decode()
    assert src in page
    assert page.count(" checked") == 1  # only the chart's fact
    # Saved with the chart's answer, the source is kept for the note.
    v = svc.save_screening(
        v, v.version, actor=world.user("nurse"), answers=all_answered(v, anticoagulant_or_antiplatelet=True)
    )
    assert v.screening["sources"] == {"anticoagulant_or_antiplatelet": src}


def test_form_refuses_each_unanswered_question_and_stores_nothing(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    before = v.version
    answers = {k: "no" for k in screening.KEYS if k not in ("pregnant", "muscle_relaxants")}
    resp = client_as("nurse").post(f"/visits/{v.public_id}/screening/", {"version": v.version, **answers})
    text = resp.content.decode()
    assert resp.status_code == 400
    assert "Nothing was saved." in text and "2 questions not answered" in text
    assert (
        'href="#q-pregnant">Pregnant</a>' in text
        and 'href="#q-muscle_relaxants">Muscle relaxants</a>' in text
    )
    assert "Not answered: Pregnant. Ask the patient and answer yes or no." in text
    v.refresh_from_db()
    assert v.version == before and v.screening == {} and v.screened_at is None
    assert not AuditEvent.objects.filter(action="visit.screened").exists()


def test_api_refuses_each_unanswered_question_and_stores_nothing(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    c = client_as("nurse")
    answers: dict[str, Any] = {k: False for k in screening.KEYS}
    answers["infection_at_site"] = None
    del answers["breastfeeding"]
    resp = _put(c, v, answers)
    assert resp.status_code == 422
    body = resp.content.decode()
    for question in ("Infection at a planned injection site", "Breastfeeding"):
        assert f"Not answered: {question}. Ask the patient" in body
    assert "Muscle relaxants" not in body  # only the unanswered ones are listed
    v.refresh_from_db()
    assert v.screening == {} and v.version == 1
    answers.update(infection_at_site=False, breastfeeding=False)
    ok = _put(c, v, answers)
    assert ok.status_code == 200, ok.content
    assert ok.json()["screening"]["answers"]["infection_at_site"] is False


def test_a_man_is_not_asked_about_pregnancy(world: Any, client_as: Any) -> None:
    world.patient.sex = "male"
    world.patient.save()
    v = draft_visit(world)
    page = client_as("nurse").get(f"/visits/{v.public_id}/screening/").content.decode()
    assert 'name="pregnant"' not in page and 'name="breastfeeding"' not in page
    assert "Does not apply: sex recorded as male." in page
    answers = {k: False for k in screening.KEYS if k not in screening.PREGNANCY_KEYS}
    resp = _put(client_as("nurse"), v, answers)
    assert resp.status_code == 200, resp.content
    v.refresh_from_db()
    assert "pregnant" not in v.screening["answers"]
    assert v.screening["not_applicable"] == {
        "pregnant": "sex recorded as male",
        "breastfeeding": "sex recorded as male",
    }
    items = {i["key"]: i for i in svc.screening_items(v)}
    assert items["pregnant"]["status"] == "not_applicable"
    assert items["pregnant"]["sentence"] == "Pregnancy not asked: sex recorded as male"
    # A "yes" contradicts the chart: refused with what to correct.
    v2 = draft_visit(world)
    bad = _put(client_as("nurse"), v2, {**answers, "pregnant": True})
    assert bad.status_code == 422 and "correct the sex or date of birth on the chart" in bad.content.decode()


def test_a_woman_past_the_configured_ages_is_not_asked(world: Any, settings: Any) -> None:
    world.patient.date_of_birth = timezone.localdate() - dt.timedelta(days=365 * 60 + 20)
    world.patient.save()
    v = draft_visit(world)
    assert svc.screening_prefill(v).not_applicable["pregnant"] == "age 60, outside the ages asked (12–55)"
    settings.TOXINCLINIC_PREGNANCY_QUESTION_AGES = (12, 65)
    assert svc.screening_prefill(v).not_applicable == {}


def test_results_read_as_sentences(world: Any, client_as: Any) -> None:
    v = draft_visit(world)
    v = svc.save_screening(v, v.version, actor=world.user("nurse"), answers=all_answered(v))
    page = client_as("nurse").get(f"/visits/{v.public_id}/screening/").content.decode()
    assert "Not pregnant." in page and "No infection at the injection sites." in page
    assert "No: " not in page


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
    nxt = draft_visit(world)
    prefill = svc.screening_prefill(nxt)
    assert prefill.answers["breastfeeding"]
    assert prefill.sources["breastfeeding"] == f"Yes — answered yes at the visit of {_today()}"
    assert "infection_at_site" not in prefill.answers  # asked afresh every visit
    items = {i["key"]: i for i in svc.history_items(nxt)}
    assert items["time_since_last_toxin"]["status"] == "stop"  # same day: inside the 84-day interval
    assert "the minimum interval is 84 days" in items["time_since_last_toxin"]["reason"]

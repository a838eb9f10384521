"""Answering questionnaires: engine scores and bands, incomplete forms refused item by item, history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.outcomes.models import QuestionnaireResponse

pytestmark = pytest.mark.django_db


def post(client: Any, instrument: str, answers: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/questionnaires/{instrument}/responses",
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )


MIDAS_12 = {"q1": 4, "q2": 2, "q3": 3, "q4": 1, "q5": 2, "a": 40, "b": 7}


def test_midas_worked_example(client_as: Any, world: Any) -> None:
    r = post(client_as("patient"), "midas", MIDAS_12)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["total"], body["band"]) == (12, "III")
    assert body["band_label"] == "grade III: moderate disability"
    assert body["is_baseline"] is True and body["timepoint"] == "baseline"
    assert AuditEvent.objects.filter(action="questionnaire.submitted", patient_id=world.patient.pk).exists()


def test_midas_zero_is_a_valid_score(client_as: Any, world: Any) -> None:
    r = post(client_as("patient"), "midas", dict.fromkeys(MIDAS_12, 0))
    assert r.status_code == 201 and r.json()["total"] == 0 and r.json()["band"] == "I"


def test_incomplete_midas_names_each_missing_item(client_as: Any, world: Any) -> None:
    r = post(client_as("patient"), "midas", {"q1": 4, "q2": 2, "q4": 1, "q5": 91, "a": 3, "b": 2})
    assert r.status_code == 422
    msgs = {d["loc"][-1]: d["msg"] for d in r.json()["detail"]}
    assert msgs["answers.q3"].startswith("Question 3 (On how many days did you not do household work")
    assert "please answer this question" in msgs["answers.q3"]
    assert "91 is outside 0–90 days" in msgs["answers.q5"]
    assert not QuestionnaireResponse.objects.exists()


def test_hit6_and_change_since_baseline(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    first = post(
        client,
        "hit6",
        {
            "q1": "sometimes",
            "q2": "sometimes",
            "q3": "sometimes",
            "q4": "very often",
            "q5": "very_often",
            "q6": "always",
        },
    )
    assert first.status_code == 201 and first.json()["total"] == 65 and first.json()["band"] == "severe"
    second = post(client, "hit6", {f"q{i}": "rarely" for i in range(1, 7)})
    assert second.json()["total"] == 48
    assert second.json()["change_since_baseline"] == -17
    history = client.get("/api/v1/questionnaires/responses").json()
    assert [h["total"] for h in history] == [48, 65]
    page = client.get("/questionnaires/").content.decode()
    assert "change since baseline: <strong>-17</strong>" in page


def test_hit6_needs_all_six(client_as: Any, world: Any) -> None:
    r = post(client_as("patient"), "hit6", {"q1": "never", "q2": "often"})
    assert r.status_code == 422
    locs = {d["loc"][-1] for d in r.json()["detail"]}
    assert locs == {"answers.q2", "answers.q3", "answers.q4", "answers.q5", "answers.q6"}


def test_twstrs_patient_parts(client_as: Any, world: Any) -> None:
    answers = {
        "d1": 1,
        "d2": 2,
        "d3": 3,
        "d4": 4,
        "d5": 5,
        "d6": 0,
        "pain_worst": 8,
        "pain_best": 2,
        "pain_usual": 5,
        "pain_duration": 3,
        "pain_disability": 2,
    }
    r = post(client_as("patient"), "twstrs", answers)
    assert r.status_code == 201, r.content
    assert r.json()["total"] == 25
    assert r.json()["subscores"] == {"disability": 15, "pain": 10.0, "pain_severity": 5.0}
    bad = post(client_as("patient"), "twstrs", {**answers, "pain_best": 9})
    assert bad.status_code == 422
    assert "above the worst rating" in bad.json()["detail"][0]["msg"]


def test_form_flow_for_midas(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    page = client.get("/questionnaires/midas/").content.decode()
    assert "On how many days did you miss work or school" in page
    r = client.post("/questionnaires/midas/", {"q1": "4", "q2": "2"})
    assert r.status_code == 400
    assert "Question 3" in r.content.decode() and "Nothing was saved" in r.content.decode()
    r = client.post("/questionnaires/midas/", {k: str(v) for k, v in MIDAS_12.items()})
    assert r.status_code == 302
    result = client.get(r.url).content.decode()
    assert "Grade III: moderate disability" in result


def test_staff_see_history_patient_cannot_answer_for_another(client_as: Any, world: Any) -> None:
    post(client_as("patient"), "pain_nrs", {"pain": 6})
    page = client_as("clinician").get(f"/questionnaires/patients/{world.patient.public_id}/").content.decode()
    assert "Pain score" in page and "moderate" in page
    assert post(client_as("nurse"), "pain_nrs", {"pain": 6}).status_code == 403
    assert QuestionnaireResponse.objects.count() == 1

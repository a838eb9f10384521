"""The clinic's triage queue: urgent first, acknowledge, call back, adverse-event record; all audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.safety.models import AdverseEvent, TriageItem
from toxinclinic.safety.services import report_side_effect
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world: Any) -> tuple[Any, Any]:
    sign_visit(world.patient, days_ago(6), world.user("clinician"))
    sign_visit(world.patient2, days_ago(6), world.user("clinician"))
    routine = report_side_effect(world.patient, symptoms=["neck_pain"], actor=world.user("patient"))
    urgent = report_side_effect(world.patient2, symptoms=["trouble_swallowing"], actor=world.user("patient2"))
    return routine, urgent


def test_urgent_first_with_last_session(client_as: Any, world: Any, reports: Any) -> None:
    client = client_as("nurse")
    page = client.get("/safety/triage/").content.decode()
    assert page.index("Grace Hopper") < page.index("Ada Lovelace")  # urgent (later) before routine (earlier)
    assert "155 U" in page and "2 sites" in page
    assert "Triage (1 urgent)" in page  # nav count
    api = client.get("/api/v1/triage").json()
    assert [i["level"] for i in api] == ["urgent", "routine"]
    assert api[0]["last_session"]["total_units"] == 155.0
    assert api[0]["minutes_since_report"] >= 0
    home = client.get("/home/").content.decode()
    assert "Urgent side-effect reports" in home and "Grace Hopper" in home


def test_other_clinic_sees_nothing(client_as: Any, world: Any, reports: Any) -> None:
    client = client_as("other_clinician")
    assert client.get("/api/v1/triage").json() == []
    item = TriageItem.objects.filter(level="urgent").get()
    assert client.get(f"/safety/triage/{item.public_id}/").status_code == 404


def test_acknowledge_call_back_and_adverse_event(client_as: Any, world: Any, reports: Any) -> None:
    item = TriageItem.objects.get(level="urgent")
    client = client_as("nurse")
    r = client.post(f"/safety/triage/{item.public_id}/acknowledge/", {"version": item.version})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "acknowledged" and item.acknowledged_by == world.user("nurse")
    # A stale version from a colleague's screen is refused.
    r = client.post(
        f"/api/v1/triage/{item.public_id}/call-back",
        data=json.dumps({"version": 1, "notes": "x", "outcome": "advice_given"}),
        content_type="application/json",
    )
    assert r.status_code == 409
    r = client.post(
        f"/safety/triage/{item.public_id}/call-back/",
        {"version": item.version, "notes": "Reached her; advised A&E now.", "outcome": "sent_to_emergency"},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.outcome) == ("closed", "sent_to_emergency")
    assert item.called_back_by == world.user("nurse")
    r = client_as("clinician").post(
        f"/safety/triage/{item.public_id}/adverse-event/",
        {
            "term": "Dysphagia",
            "severity": "severe",
            "serious": "on",
            "seriousness_criteria": ["hospitalisation"],
            "onset_day": 5,
            "outcome": "recovering",
        },
    )
    assert r.status_code == 302, r.content.decode()[-800:]
    ae = AdverseEvent.objects.get()
    assert (ae.term, ae.serious, ae.onset_day, ae.triage_item) == ("Dysphagia", True, 5, item)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"triage.acknowledged", "triage.called_back", "adverse_event.created"} <= actions


def test_bad_call_back_and_adverse_event_refused(client_as: Any, world: Any, reports: Any) -> None:
    item = TriageItem.objects.get(level="urgent")
    client = client_as("clinician")
    r = client.post(
        f"/safety/triage/{item.public_id}/call-back/", {"version": item.version, "outcome": "maybe"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Call-back notes: say what the patient said" in body
    assert "Outcome: maybe is not a listed outcome." in body
    r = client.post(
        f"/api/v1/triage/{item.public_id}/adverse-events",
        data=json.dumps(
            {
                "term": "Dysphagia",
                "severity": "severe",
                "serious": True,
                "onset_day": 40,
                "outcome": "recovering",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 422
    msgs = {d["loc"][-1]: d["msg"] for d in r.json()["detail"]}
    assert "tick at least one for a serious event" in msgs["seriousness_criteria"]
    assert "day 40 is after today (day 6" in msgs["onset_day"]
    assert not AdverseEvent.objects.exists()
    item.refresh_from_db()
    assert item.status == "open" and item.version == 1


def test_coordinator_may_not_work_the_queue(client_as: Any, world: Any, reports: Any) -> None:
    item = TriageItem.objects.get(level="urgent")
    assert client_as("coordinator").get("/safety/triage/").status_code == 403
    assert client_as("coordinator").post(f"/safety/triage/{item.public_id}/acknowledge/").status_code == 403

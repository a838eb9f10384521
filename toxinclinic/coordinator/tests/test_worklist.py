"""Worklist correctness on a hand-built clinic of 20 patients covering each state."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from toxinclinic.coordinator import rows, worklist
from toxinclinic.coordinator.models import WorklistRow
from toxinclinic.coordinator.tests.clinic import CLINIC, book, build_clinic
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def names(user: Any, *filters: str) -> list[str]:
    got, _ = worklist.page_rows(user, list(filters), today())
    return [r.patient.last_name for r in got]


@pytest.fixture
def clinic(world: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    with django_capture_on_commit_callbacks(execute=True):
        return build_clinic(world)


def test_every_state_on_its_row(world: Any, clinic: dict[str, Any]) -> None:
    lines = {
        ln.patient.last_name: ln
        for ln in worklist.lines(worklist.page_rows(world.user("coordinator"), [], today())[0], today())
    }
    state = {k: v.assessment.state for k, v in lines.items()}
    assert state["Early"] == "too_early" and state["Inwindow"] == "in_window"
    assert state["Overdue"] == "overdue" and state["Overdue2"] == "overdue"
    assert state["Bookedlate"] == "booked" and state["Booked"] == "booked"  # never overdue once booked
    assert state["New"] == "no_session"
    assert "Moved" not in lines  # outreach ended the follow-up
    assert lines["Expiring"].assessment.auth_expiring and not lines["Authok"].assessment.auth_expiring
    assert lines["Novisits"].assessment.no_visits_left and lines["Novisits"].row.auth_visits_left == 0
    assert lines["Authok"].row.auth_visits_left == 3
    assert lines["Gap"].row.diary_gap and lines["Nodiary"].row.diary_gap and not lines["Early"].row.diary_gap
    assert lines["Early"].row.diary_recorded_30 == 30 and lines["Early"].row.headache_days_30 == 15
    assert lines["Urgent"].row.urgent_side_effect
    assert lines["Booked"].row.next_appointment_at is not None
    assert lines["Called"].outreach_label == "Called — no answer"
    assert lines["Early"].row.last_units == 155 and lines["Early"].product == "Botox"


def test_urgency_order(world: Any, clinic: dict[str, Any]) -> None:
    order = names(world.user("coordinator"))
    assert order[0] == "Urgent"
    # the longest overdue first, then the rest by when their window opened
    assert order.index("Overdue2") < order.index("Called") < order.index("Overdue") < order.index("Mine")
    assert order.index("Mine") < order.index("Inwindow") < order.index("Weekahead") < order.index("Early")
    # an expiring authorization brings a too-early patient forward
    assert order.index("Expiring") < order.index("Early2")
    # booked and new patients after everyone who needs booking
    assert order.index("Early") < order.index("New") < order.index("Booked")


def test_filters(world: Any, clinic: dict[str, Any]) -> None:
    u = world.user("coordinator")
    assert set(names(u, "due_week")) == {"Weekahead", "Inwindow"}
    assert set(names(u, "overdue")) == {"Overdue", "Overdue2", "Called", "Mine"}
    assert "Bookedlate" not in names(u, "overdue") and "Booked" not in names(u, "no_appointment")
    assert set(names(u, "auth")) == {"Expiring", "Novisits"}
    assert set(names(u, "diary_gap")) == {"Gap", "Nodiary", "Lovelace", "Hopper"}  # 25 of 30 days is no gap
    assert names(u, "mine") == ["Mine"]
    assert names(u, "overdue", "mine") == ["Mine"]


def test_booking_takes_a_patient_off_overdue(
    world: Any, clinic: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        book(world, clinic["Overdue"], 2)
    assert "Overdue" not in names(world.user("coordinator"), "overdue")


def test_other_clinic_and_patients_see_nothing(world: Any, clinic: dict[str, Any], client_as: Any) -> None:
    assert names(world.user("other_clinician")) == []
    assert client_as("patient").get("/coordinator/worklist/").status_code == 403
    assert (
        client_as("other_clinician")
        .get(f"/coordinator/patients/{clinic['Early'].public_id}/outreach/")
        .status_code
        == 404
    )


def test_screen_csv_and_api(world: Any, clinic: dict[str, Any], client_as: Any) -> None:
    c = client_as("coordinator")
    page = c.get("/coordinator/worklist/?f=overdue").content.decode()
    assert "Overdue2" in page and "Early" not in page
    assert f"/patients/{clinic['Overdue'].public_id}/" in page  # the name links to the chart
    assert f"/scheduling/patients/{clinic['Overdue'].public_id}/slots/" in page  # Book
    body = b"".join(c.get("/coordinator/worklist.csv?f=auth").streaming_content).decode()
    got = list(csv.DictReader(io.StringIO(body)))
    assert {r["Patient"] for r in got} == {"Pat Expiring", "Pat Novisits"}
    assert {r["Visits left"] for r in got} == {"0", "3"}
    api = c.get("/api/v1/worklist?f=overdue").json()
    assert next(x["patient_name"] for x in api["items"]) == "Pat Overdue2"
    assert api["items"][0]["state"] == "Overdue"


def test_a_page_is_a_fixed_number_of_queries(
    world: Any, clinic: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(1):
        worklist.page_rows(world.user("coordinator"), ["overdue"], today())


def test_refresh_is_idempotent_and_covers_every_patient(world: Any, clinic: dict[str, Any]) -> None:
    before = list(
        WorklistRow.objects.order_by("patient_id").values("patient_id", "tier", "attention_on", "reasons")
    )
    rows.refresh(world.clinic.pk)
    after = list(
        WorklistRow.objects.order_by("patient_id").values("patient_id", "tier", "attention_on", "reasons")
    )
    assert before == after and len(after) == len(CLINIC) + 2  # the world's two patients too


def test_a_called_back_urgent_report_leaves_the_top(
    world: Any, clinic: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from toxinclinic.safety import services as safety
    from toxinclinic.safety.models import TriageItem

    item = TriageItem.objects.get(patient=clinic["Urgent"])
    with django_capture_on_commit_callbacks(execute=True):
        safety.record_call_back(
            item,
            actor=world.user("nurse"),
            version=item.version,
            outcome="advice_given",
            notes="Called, fine",
        )
    assert names(world.user("coordinator"))[0] != "Urgent"
    assert not WorklistRow.objects.get(patient=clinic["Urgent"]).urgent_side_effect

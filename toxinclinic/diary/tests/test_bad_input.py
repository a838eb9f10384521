"""Bad diary input is refused with a specific message, and nothing is stored (API 422, form 400)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import override_settings

from toxinclinic.audit.models import AuditEvent
from toxinclinic.diary.models import DiaryEntry, DiaryMonth
from toxinclinic.diary.tests.helpers import MIGRAINE_DAY
from toxinclinic.testing import days_ago, today, triptan

pytestmark = pytest.mark.django_db


def put(client: Any, day: Any, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/diary/entries/{day}", data=json.dumps(body), content_type="application/json")


def messages(r: Any) -> dict[str, str]:
    assert r.status_code == 422, r.content
    return {d["loc"][-1]: d["msg"] for d in r.json()["detail"]}


def assert_nothing_stored(world: Any) -> None:
    assert not DiaryEntry.objects.filter(patient=world.patient).exists()
    assert not DiaryMonth.objects.filter(patient=world.patient).exists()
    assert not AuditEvent.objects.filter(action__startswith="diary.").exists()


def test_future_date(client_as: Any, world: Any) -> None:
    tomorrow = today() + dt.timedelta(days=1)
    m = messages(put(client_as("patient"), tomorrow, {"headache": False}))
    assert "is in the future" in m["date"]
    assert "You can record today" in m["date"]
    assert_nothing_stored(world)


def test_before_enrolment(client_as: Any, world: Any) -> None:
    world.patient.enrolled_on = days_ago(2)
    world.patient.save()
    m = messages(put(client_as("patient"), days_ago(5), {"headache": False}))
    assert "is before your diary started" in m["date"]
    assert_nothing_stored(world)


def test_beyond_backfill_limit(client_as: Any, world: Any) -> None:
    m = messages(put(client_as("patient"), days_ago(15), {"headache": False}))
    assert "more than 14 days ago" in m["date"]
    assert "ask the clinic" in m["date"]
    assert_nothing_stored(world)


@override_settings(TOXINCLINIC_DIARY_BACKFILL_DAYS=3)
def test_backfill_limit_is_configurable(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    assert "more than 3 days ago" in messages(put(client, days_ago(4), {"headache": False}))["date"]
    assert put(client, days_ago(3), {"headache": False}).status_code == 201


def test_more_than_24_hours(client_as: Any, world: Any) -> None:
    m = messages(put(client_as("patient"), today(), {**MIGRAINE_DAY, "duration_hours": 25}))
    assert m["duration_hours"].startswith("Hours: 25 is more than 24")
    assert_nothing_stored(world)


def test_severity_out_of_range(client_as: Any, world: Any) -> None:
    m = messages(put(client_as("patient"), today(), {**MIGRAINE_DAY, "severity": "extreme"}))
    assert m["severity"] == "Worst pain: 'extreme' is not one of mild, moderate, severe."
    assert_nothing_stored(world)


def test_headache_needs_hours_and_severity(client_as: Any, world: Any) -> None:
    m = messages(put(client_as("patient"), today(), {"headache": True}))
    assert "enter how long the headache lasted" in m["duration_hours"]
    assert "choose mild, moderate or severe" in m["severity"]
    assert_nothing_stored(world)


def test_another_patients_medicine_is_refused(client_as: Any, world: Any) -> None:
    theirs = triptan(world.patient2, "Rizatriptan")
    m = messages(put(client_as("patient"), today(), {**MIGRAINE_DAY, "medications": [str(theirs.public_id)]}))
    assert "is not one of your acute medicines" in m["medications"]
    assert_nothing_stored(world)


def test_another_patients_diary_is_not_found(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    for pid in (world.patient2.public_id, world.other_patient.public_id):
        r = client.get(f"/api/v1/diary/patients/{pid}/entries")
        assert r.status_code == 404
        assert "Hopper" not in r.content.decode() and "Somerville" not in r.content.decode()


def test_staff_cannot_write_a_diary_day(client_as: Any, world: Any) -> None:
    r = put(client_as("nurse"), today(), {"headache": False})
    assert r.status_code == 403
    assert_nothing_stored(world)


def test_relief_without_medicine(client_as: Any, world: Any) -> None:
    m = messages(put(client_as("patient"), today(), {**MIGRAINE_DAY, "relieved_by_acute": True}))
    assert "choose the medicine you took first" in m["relieved_by_acute"]
    assert_nothing_stored(world)


# --- the same rules through the phone form -----------------------------------------------------------


def test_form_refuses_future_date(client_as: Any, world: Any) -> None:
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = client_as("patient").post(f"/diary/day/{tomorrow}/", {"headache": "no"})
    assert r.status_code == 400
    assert "is in the future" in r.content.decode()
    assert_nothing_stored(world)


def test_form_refuses_over_24_hours_and_bad_severity(client_as: Any, world: Any) -> None:
    r = client_as("patient").post(
        f"/diary/day/{today()}/", {"headache": "yes", "duration_hours": "30", "severity": "extreme"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Hours: 30 is more than 24" in body
    assert "Worst pain: &#x27;extreme&#x27; is not one of mild, moderate, severe." in body
    assert "Nothing was saved" in body
    assert_nothing_stored(world)


def test_form_refuses_beyond_backfill(client_as: Any, world: Any) -> None:
    r = client_as("patient").post(f"/diary/day/{days_ago(20)}/", {"headache": "no"})
    assert r.status_code == 400
    assert "more than 14 days ago" in r.content.decode()
    assert_nothing_stored(world)


def test_form_refuses_another_patients_medicine(client_as: Any, world: Any) -> None:
    theirs = triptan(world.patient2)
    r = client_as("patient").post(
        f"/diary/day/{today()}/",
        {
            "headache": "yes",
            "duration_hours": "6",
            "severity": "moderate",
            "medications": [str(theirs.public_id)],
        },
    )
    assert r.status_code == 400
    assert "is not one of your acute medicines" in r.content.decode()
    assert_nothing_stored(world)


# --- the hours of a headache: 0.5 to 24, from the engine (issue 12 item 7) ----------------------------


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        (1e-300, "Hours: 1e-300 is less than 0.5 hours"),
        (0.25, "Hours: 0.25 is less than 0.5 hours"),
        (True, "Hours: true is not a number of hours"),
        (False, "Hours: false is not a number of hours"),
        ("4", "Hours: 4 is not a number of hours"),
        (0, "Hours: 0 is too low"),
        (24.5, "Hours: 24.5 is more than 24"),
    ],
)
def test_api_refuses_hours_outside_the_range(client_as: Any, world: Any, hours: Any, says: str) -> None:
    m = messages(put(client_as("patient"), today(), {**MIGRAINE_DAY, "duration_hours": hours}))
    assert m["duration_hours"].startswith(says), m
    assert "0.5 to 24" in m["duration_hours"] or "such as 2 or 4.5" in m["duration_hours"]
    assert_nothing_stored(world)


def test_api_refuses_true_as_the_hours_of_a_day_without_headache(client_as: Any, world: Any) -> None:
    m = messages(put(client_as("patient"), today(), {"headache": False, "duration_hours": True}))
    assert m["duration_hours"].startswith("Hours: true is not a number of hours")
    assert_nothing_stored(world)


@pytest.mark.parametrize("hours", [0.5, 24])
def test_api_accepts_the_ends_of_the_range(client_as: Any, world: Any, hours: float) -> None:
    r = put(client_as("patient"), today(), {**MIGRAINE_DAY, "duration_hours": hours})
    assert r.status_code == 201, r.content
    assert r.json()["duration_hours"] == hours


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1e-300", "Hours: 1e-300 is less than 0.5 hours"),
        ("0.2", "Hours: 0.2 is less than 0.5 hours"),
        ("true", "Hours: enter a number"),
    ],
)
def test_form_refuses_hours_outside_the_range(client_as: Any, world: Any, typed: str, says: str) -> None:
    r = client_as("patient").post(
        f"/diary/day/{today()}/", {"headache": "yes", "duration_hours": typed, "severity": "moderate"}
    )
    assert r.status_code == 400
    assert says in r.content.decode()
    assert_nothing_stored(world)


def test_the_form_and_the_api_schema_state_the_engines_range(client_as: Any, world: Any) -> None:
    from toxinclinic.clinical import diary as engine

    page = client_as("patient").get(f"/diary/day/{today()}/").content.decode()
    assert f'min="{engine.HEADACHE_HOURS_MIN:g}"' in page and f'max="{engine.HEADACHE_HOURS_MAX:g}"' in page
    assert "0.5 to 24 hours" in page
    doc = client_as("patient").get("/api/v1/openapi.json").json()
    hours = doc["components"]["schemas"]["DiaryDayIn"]["properties"]["duration_hours"]
    ranges = [s for s in hours["anyOf"] if s.get("type") == "number"]
    assert ranges == [
        {"type": "number", "minimum": engine.HEADACHE_HOURS_MIN, "maximum": engine.HEADACHE_HOURS_MAX}
    ]

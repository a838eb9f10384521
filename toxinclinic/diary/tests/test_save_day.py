"""Saving a diary day: the engine classifies it on write, one row per day, replaced and audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.errors import Conflict
from toxinclinic.diary import services
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.diary.tests.helpers import MIGRAINE_DAY
from toxinclinic.testing import days_ago, today, triptan

pytestmark = pytest.mark.django_db


def put(client: Any, day: Any, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/diary/entries/{day}", data=json.dumps(body), content_type="application/json")


def test_migraine_day_is_classified_and_counted(client_as: Any, world: Any) -> None:
    med = triptan(world.patient)
    client = client_as("patient")
    r = put(client, today(), {**MIGRAINE_DAY, "medications": [str(med.public_id)], "relieved_by_acute": True})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["classification"]["migraine_day"] is True
    assert body["classification"]["headache_day"] is True
    assert body["classification"]["acute_medication_day"] is True
    assert body["medication_classes"] == ["triptan"]
    assert body["medications"][0]["name"] == "Sumatriptan"
    e = DiaryEntry.objects.get(patient=world.patient, date=today())
    assert (e.migraine_day, e.moderate_severe_day, e.triptan_or_ergot_day) == (True, True, True)
    m = DiaryMonth.objects.get(patient=world.patient, month=today().replace(day=1))
    assert (m.days_recorded, m.headache_days, m.migraine_days, m.acute_medication_days) == (1, 1, 1, 1)
    assert m.medication_days_by_class == {"triptan": 1}


def test_short_headache_without_triptan_is_not_a_headache_day(client_as: Any, world: Any) -> None:
    r = put(client_as("patient"), today(), {"headache": True, "duration_hours": 2, "severity": "mild"})
    assert r.status_code == 201
    assert r.json()["classification"]["headache_day"] is False
    assert "under 4 h" in r.json()["classification"]["reasons"][0]


def test_editing_a_day_replaces_it_and_is_audited(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    assert put(client, days_ago(1), {"headache": False}).status_code == 201
    r = put(client, days_ago(1), MIGRAINE_DAY)
    assert r.status_code == 200
    assert r.json()["version"] == 2
    assert DiaryEntry.objects.filter(patient=world.patient, date=days_ago(1)).count() == 1
    actions = list(
        AuditEvent.objects.filter(patient_id=world.patient.pk, action__startswith="diary.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["diary.entry_created", "diary.entry_replaced"]
    replaced = AuditEvent.objects.get(action="diary.entry_replaced")
    assert replaced.changes["headache"] == [False, True]
    assert replaced.changes["migraine_day"] == [False, True]
    month = DiaryMonth.objects.get(patient=world.patient, month=days_ago(1).replace(day=1))
    assert month.migraine_days == 1 and month.days_recorded == 1


def test_stale_version_is_a_conflict(client_as: Any, world: Any) -> None:
    client = client_as("patient")
    put(client, today(), {"headache": False})
    put(client, today(), MIGRAINE_DAY)
    r = put(client, today(), {"headache": False, "version": 1})
    assert r.status_code == 409
    assert r.json()["current_version"] == 2
    assert DiaryEntry.objects.get(patient=world.patient, date=today()).headache is True


def test_service_refuses_stale_version(world: Any) -> None:
    clean = services.validate_day(world.patient, today(), services.DayInput(headache=False))
    services.save_day(world.patient, clean, actor=None)
    with pytest.raises(Conflict):
        services.save_day(world.patient, clean, actor=None, expected_version=7)


def test_status_tracks_version_and_last_day(world: Any) -> None:
    """Each save raises the data version by one; the last day is the newest ever saved (an older day
    saved later does not move it back); the stored verdict is the engine's for the judged months."""
    versions = []
    for n in (3, 1, 2):
        clean = services.validate_day(world.patient, days_ago(n), services.DayInput(headache=False))
        services.save_day(world.patient, clean, actor=None)
        versions.append(DiaryStatus.objects.get(patient=world.patient).data_version)
    st = DiaryStatus.objects.get(patient=world.patient)
    assert versions == [1, 2, 3]
    assert st.last_entry_on == days_ago(1)
    verdict = services.medication_overuse(world.patient, today())
    assert (st.moh_status, st.moh_met, st.moh_reasons) == (verdict.status, verdict.met, list(verdict.reasons))
    assert st.moh_status == "insufficient_data"  # three days recorded in three judged months
    assert st.moh_end == services.moh_end(today())
    assert [p["status"] for p in st.moh_periods] == [p.status for p in verdict.periods]


def test_a_plan_made_before_another_save_is_not_executed(world: Any) -> None:
    """Another save of the same patient lands between a save's reads and its write: the stale plan writes
    nothing, and ``save_day`` (which plans again under the lock) keeps both days in the month's counts."""
    first = services.validate_day(world.patient, today(), services.DayInput(headache=False))
    services.save_day(world.patient, first, actor=None)  # the status row now exists
    mine = services.validate_day(
        world.patient, days_ago(2), services.DayInput(headache=True, duration_hours=5, severity="mild")
    )
    state = services.read_state(world.patient, days_ago(2), today())
    stale_plan = services.plan_save(world.patient, mine, state, actor=None, expected_version=None)
    other = services.validate_day(
        world.patient, days_ago(1), services.DayInput(headache=True, duration_hours=8, severity="severe")
    )
    services.save_day(world.patient, other, actor=None)
    assert services.execute(world.patient, stale_plan) is False
    assert not DiaryEntry.objects.filter(patient=world.patient, date=days_ago(2)).exists()
    assert AuditEvent.objects.filter(action="diary.entry_created").count() == 2
    services.save_day(world.patient, mine, actor=None)
    counted = sum(m.days_recorded for m in DiaryMonth.objects.filter(patient=world.patient))
    assert counted == 3 == DiaryEntry.objects.filter(patient=world.patient).count()
    assert sum(m.headache_days for m in DiaryMonth.objects.filter(patient=world.patient)) == 2
    assert DiaryStatus.objects.get(patient=world.patient).data_version == 3


def test_planning_writes_nothing(world: Any) -> None:
    day = days_ago(1)
    services.save_day(
        world.patient,
        services.validate_day(world.patient, day, services.DayInput(headache=False)),
        actor=None,
    )
    before = (DiaryEntry.objects.count(), DiaryMonth.objects.count(), AuditEvent.objects.count())
    status = DiaryStatus.objects.values().get(patient=world.patient)
    clean = services.validate_day(
        world.patient, day, services.DayInput(headache=True, duration_hours=6, severity="severe")
    )
    state = services.read_state(world.patient, day, today())
    plan = services.plan_save(world.patient, clean, state, actor=None, expected_version=None)
    # A replacement: the month's counts adjusted by the one day (not recounted), only changed columns.
    assert not plan.created and not plan.recounted
    assert plan.month_values["headache_days"] == 1 and "days_recorded" not in plan.month_values
    assert plan.changes["headache"] == [False, True]
    assert (DiaryEntry.objects.count(), DiaryMonth.objects.count(), AuditEvent.objects.count()) == before
    assert DiaryStatus.objects.values().get(patient=world.patient) == status
    assert DiaryEntry.objects.get(patient=world.patient, date=day).headache is False


def test_the_charts_acute_classes_are_the_engines() -> None:
    """The chart's medicine classes the diary offers are the engine's classes (``other`` is a diary
    answer, not a chart class): a class added to one and not the other fails here."""
    from toxinclinic.clinical import diary as engine
    from toxinclinic.patients.models import ACUTE_CLASSES, MedicationClass

    diary_classes = set(engine.MEDICATION_CLASSES) - {"other"}
    assert diary_classes <= set(MedicationClass.values)  # every engine class can be put on a chart
    assert set(ACUTE_CLASSES) == diary_classes

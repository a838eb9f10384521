"""Saving a diary day: the engine classifies it on write, one row per day, replaced and audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.diary import services
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.diary.tests.helpers import MIGRAINE_DAY, days_ago, today, triptan
from toxinclinic.patients.services import Conflict

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
    for n in (3, 1):
        clean = services.validate_day(world.patient, days_ago(n), services.DayInput(headache=False))
        services.save_day(world.patient, clean, actor=None)
    st = DiaryStatus.objects.get(patient=world.patient)
    assert st.data_version == 2
    assert st.last_entry_on == days_ago(1)
    assert st.moh_status in {"met", "not_met", "insufficient_data"}


def test_concurrent_save_falls_back_to_recounting_under_the_lock(world: Any, monkeypatch: Any) -> None:
    """Another save for the same patient lands between our reads and our write: the month counts must
    include both days (the optimistic path notices the changed version and recounts under the lock)."""
    first = services.validate_day(world.patient, today(), services.DayInput(headache=False))
    services.save_day(world.patient, first, actor=None)  # the status row now exists
    real_claim = services._claim
    raced = {"done": False}

    def racing_claim(*args: Any, **kwargs: Any) -> bool:
        if not raced["done"]:
            raced["done"] = True
            other = services.validate_day(
                world.patient,
                days_ago(1),
                services.DayInput(headache=True, duration_hours=8, severity="severe"),
            )
            monkeypatch.setattr(services, "_claim", real_claim)
            services.save_day(world.patient, other, actor=None)
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(services, "_claim", racing_claim)
    mine = services.validate_day(
        world.patient, days_ago(2), services.DayInput(headache=True, duration_hours=5, severity="mild")
    )
    services.save_day(world.patient, mine, actor=None)
    assert raced["done"]
    counted = sum(m.days_recorded for m in DiaryMonth.objects.filter(patient=world.patient))
    assert counted == 3 == DiaryEntry.objects.filter(patient=world.patient).count()
    assert sum(m.headache_days for m in DiaryMonth.objects.filter(patient=world.patient)) == 2
    assert DiaryStatus.objects.get(patient=world.patient).data_version == 3

"""A diary save refreshes the patient's worklist row in the background, once per sitting, not in the save."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from toxinclinic.coordinator import rows, tasks
from toxinclinic.coordinator.models import WorklistRow
from toxinclinic.diary import services
from toxinclinic.testing import days_ago

pytestmark = pytest.mark.django_db

REFRESH = "toxinclinic.coordinator.tasks.refresh_patient_row"


def _save(patient: Any, day: dt.date) -> None:
    day_input = services.DayInput(headache=True, duration_hours=5, severity="moderate")
    clean = services.validate_day(patient, day, day_input)
    services.save_day(patient, clean, actor=None)


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=REFRESH, status="READY"))


def test_a_sitting_of_saves_queues_one_delayed_refresh_that_brings_the_row_up_to_date(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    p = world.patient
    cache.delete(f"coordinator:refresh-patient:{p.pk}")
    rows.refresh(world.clinic.pk, [p.pk])
    before = WorklistRow.objects.get(patient=p).diary_recorded_30 or 0  # None: no day recorded yet
    with django_capture_on_commit_callbacks(execute=True):
        for k in range(1, 4):
            _save(p, days_ago(k))
    # The save itself left the row alone; one refresh waits, about DIARY_REFRESH_DELAY from now.
    assert (WorklistRow.objects.get(patient=p).diary_recorded_30 or 0) == before
    [job] = _queued()
    assert job.args_kwargs["args"] == [world.clinic.pk, p.pk]
    assert job.run_after > job.enqueued_at + tasks.DIARY_REFRESH_DELAY - dt.timedelta(seconds=5)
    tasks.refresh_patient_row.call(world.clinic.pk, p.pk)
    assert WorklistRow.objects.get(patient=p).diary_recorded_30 == before + 3
    # The refresh cleared the flag: the next save queues a new refresh instead of being missed.
    with django_capture_on_commit_callbacks(execute=True):
        _save(p, days_ago(5))
    assert len(_queued()) == 2

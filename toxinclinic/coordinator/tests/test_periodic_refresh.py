"""The periodic refresh rewrites every clinic's worklist rows that are not today's, and only those."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.coordinator import rows, tasks
from toxinclinic.coordinator.models import WorklistRow
from toxinclinic.messaging.models import Ticker
from toxinclinic.patients.models import Patient
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def test_stale_and_missing_rows_are_refreshed_and_the_chain_continues(world: Any) -> None:
    rows.refresh(world.clinic.pk)
    WorklistRow.objects.filter(clinic=world.clinic).update(diary_as_of=today() - dt.timedelta(days=1))
    other_has_patients = Patient.objects.filter(clinic=world.other_clinic).exists()
    expected = sorted({world.clinic.pk} | ({world.other_clinic.pk} if other_has_patients else set()))
    assert tasks.clinics_to_refresh(today()) == expected
    when = "2026-01-01T00:00:00+00:00"
    Ticker.objects.create(name=tasks.TICKER, next_run_at=dt.datetime.fromisoformat(when))
    result = tasks.nightly_refresh.call(when)
    assert result["chain_kept"] is True
    assert not WorklistRow.objects.filter(diary_as_of__lt=today()).exists()
    assert tasks.clinics_to_refresh(today()) == []


def test_a_replaced_chain_does_not_schedule_a_second_successor(world: Any) -> None:
    rows.refresh(world.clinic.pk)
    Ticker.objects.create(
        name=tasks.TICKER, next_run_at=dt.datetime.fromisoformat("2026-01-02T00:00:00+00:00")
    )
    result = tasks.nightly_refresh.call("2026-01-01T00:00:00+00:00")  # not the row's time: a replaced chain
    assert result["chain_kept"] is False

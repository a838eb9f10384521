"""core.rawsql reads what the ORM reads and writes what ``save()`` writes, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from toxinclinic.audit.services import snapshot, snapshot_values
from toxinclinic.core.rawsql import Table
from toxinclinic.diary.models import DiaryEntry, DiaryMonth

pytestmark = pytest.mark.django_db

ENTRIES = Table(DiaryEntry)


def _values(world: Any, **kw: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "public_id": uuid.uuid4(),
        "patient_id": world.patient.pk,
        "clinic_id": world.patient.clinic_id,
        "date": dt.date(2026, 3, 4),
        "headache": True,
        "duration_hours": 5.5,
        "severity": "moderate",
        "unilateral": True,
        "pulsating": False,
        "aggravated_by_activity": False,
        "nausea": True,
        "vomiting": False,
        "photophobia": False,
        "phonophobia": False,
        "aura": False,
        "acute_medications": [{"id": "x", "name": "Sumatriptan \u00e9", "drug_class": "triptan"}],
        "medication_classes": ["triptan"],
        "relieved_by_acute": True,
        "note": 'it\'s 100% "quoted"',
        "headache_day": True,
        "migraine_day": True,
        "moderate_severe_day": True,
        "acute_medication_day": True,
        "triptan_or_ergot_day": True,
        "reasons": ["a", "b"],
        "entered_by_id": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        **kw,
    }


def test_insert_then_orm_reads_the_same_values(world: Any) -> None:
    values = _values(world)
    with connection.cursor() as cur:
        pk = ENTRIES.insert(cur, values)
    e = DiaryEntry.objects.get(pk=pk)
    for k, v in values.items():
        assert getattr(e, k) == v, k


def test_select_one_equals_the_orm_instance_and_snapshot(world: Any) -> None:
    with connection.cursor() as cur:
        pk = ENTRIES.insert(cur, _values(world))
        row = ENTRIES.select_one(cur, ["patient_id", "date"], [world.patient.pk, dt.date(2026, 3, 4)])
        missing = ENTRIES.select_one(cur, ["patient_id", "date"], [world.patient.pk, dt.date(2026, 3, 5)])
    assert missing is None
    assert row is not None
    orm = DiaryEntry.objects.get(pk=pk)
    for f in DiaryEntry._meta.concrete_fields:
        assert row[f.attname] == getattr(orm, f.attname), f.attname
    assert snapshot_values(DiaryEntry, row) == snapshot(orm)
    inst = ENTRIES.instance(row)
    assert (inst.pk, inst.public_id, inst.acute_medications) == (orm.pk, orm.public_id, orm.acute_medications)


def test_update_counts_rows_and_applies_raw_sets(world: Any) -> None:
    with connection.cursor() as cur:
        pk = ENTRIES.insert(cur, _values(world))
        version = ENTRIES.column("version")
        n = ENTRIES.update(
            cur, {"note": "changed"}, {"id": pk, "version": 1}, raw_sets=f"{version} = {version} + 1"
        )
        stale = ENTRIES.update(cur, {"note": "stale"}, {"id": pk, "version": 1})
    assert (n, stale) == (1, 0)
    e = DiaryEntry.objects.get(pk=pk)
    assert (e.note, e.version) == ("changed", 2)


def test_select_in_reads_the_rows_of_several_keys(world: Any) -> None:
    months = Table(DiaryMonth)
    base = {
        "patient_id": world.patient.pk,
        "clinic_id": world.patient.clinic_id,
        "period_start": dt.date(2026, 3, 1),
        "period_end": dt.date(2026, 3, 31),
        "days_in_period": 31,
        "days_recorded": 1,
        "min_days_required": 23,
        "sufficient": False,
        "headache_days": 1,
        "migraine_days": 0,
        "moderate_severe_days": 0,
        "acute_medication_days": 0,
        "triptan_or_ergot_days": 0,
        "simple_or_nsaid_days": 0,
        "multiple_class_days": 0,
        "headache_days_per_30": 30.0,
        "migraine_days_per_30": 0.0,
        "medication_days_by_class": {"nsaid": 1},
        "headache_threshold_hours": 4.0,
        "updated_at": timezone.now(),
    }
    with connection.cursor() as cur:
        march = months.insert(cur, {**base, "month": dt.date(2026, 3, 1)})
        april = months.insert(cur, {**base, "month": dt.date(2026, 4, 1), "days_recorded": 2})
        months.insert(cur, {**base, "month": dt.date(2026, 5, 1)})
        rows = months.select_in(
            cur, ["patient_id"], [world.patient.pk], "month", [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
        )
    assert sorted(r["id"] for r in rows) == sorted([march, april])
    by_month = {r["month"]: r for r in rows}
    assert by_month[dt.date(2026, 4, 1)]["days_recorded"] == 2
    assert by_month[dt.date(2026, 3, 1)]["medication_days_by_class"] == {"nsaid": 1}
    m = DiaryMonth.objects.get(pk=april)
    assert (m.month, m.days_recorded, m.headache_threshold_hours) == (dt.date(2026, 4, 1), 2, 4.0)

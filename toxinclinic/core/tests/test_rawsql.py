"""core.rawsql reads what the ORM reads, on SQLite and PostgreSQL; it has no way to write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from toxinclinic.accounts.models import ApiToken, User
from toxinclinic.core import rawsql
from toxinclinic.core.rawsql import Table
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus

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


def _stored(values: dict[str, Any]) -> DiaryEntry:
    """The row written the ORM's way (rawsql cannot write)."""
    e = DiaryEntry(**{k: v for k, v in values.items() if k not in ("created_at", "updated_at")})
    e.save()
    return e


def test_select_one_equals_the_orm_instance(world: Any) -> None:
    pk = _stored(_values(world)).pk
    with connection.cursor() as cur:
        row = ENTRIES.select_one(cur, ["patient_id", "date"], [world.patient.pk, dt.date(2026, 3, 4)])
        missing = ENTRIES.select_one(cur, ["patient_id", "date"], [world.patient.pk, dt.date(2026, 3, 5)])
    assert missing is None
    assert row is not None
    orm = DiaryEntry.objects.get(pk=pk)
    for f in DiaryEntry._meta.concrete_fields:
        assert row[f.attname] == getattr(orm, f.attname), f.attname
    inst = ENTRIES.instance(row)
    assert (inst.pk, inst.public_id, inst.acute_medications) == (orm.pk, orm.public_id, orm.acute_medications)
    assert inst.note == 'it\'s 100% "quoted"'


def test_none_matches_null(world: Any) -> None:
    user = world.user("patient")
    live, _ = ApiToken.issue(user, "live")
    revoked, _ = ApiToken.issue(user, "revoked")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    tokens = Table(ApiToken, ["id", "name"])
    with connection.cursor() as cur:
        assert tokens.select_one(cur, ["digest", "revoked_at"], [live.digest, None]) == {
            "id": live.pk,
            "name": "live",
        }
        assert tokens.select_one(cur, ["digest", "revoked_at"], [revoked.digest, None]) is None


def test_select_joined_reads_both_rows_in_one_statement(world: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    user = world.user("patient")
    token, _ = ApiToken.issue(user, "joined")
    tokens, users = Table(ApiToken, ["id", "last_used_at"]), Table(User)
    with CaptureQueriesContext(connection) as q, connection.cursor() as cur:
        found = tokens.select_joined(
            cur, ["digest", "revoked_at"], [token.digest, None], users, ("user_id", "id")
        )
    assert len(q.captured_queries) == 1
    assert found is not None
    tok, u = found
    assert tok == {"id": token.pk, "last_used_at": None}
    assert u is not None and users.instance(u).username == user.username and u["role"] == user.role


def test_select_joined_outer_keeps_a_row_without_its_match(world: Any) -> None:
    DiaryStatus.objects.create(patient=world.patient, clinic_id=world.patient.clinic_id, data_version=3)
    statuses = Table(DiaryStatus, ["id", "data_version"])
    day = dt.date(2026, 3, 4)
    args = (["patient_id"], [world.patient.pk], ENTRIES, ("patient_id", "patient_id"))
    with connection.cursor() as cur:
        status, entry = statuses.select_joined(
            cur, *args, other_where=["date"], other_params=[day], outer=True
        )
        assert status["data_version"] == 3 and entry is None
        assert statuses.select_joined(cur, *args, other_where=["date"], other_params=[day]) is None  # inner
    pk = _stored(_values(world, date=day)).pk
    with connection.cursor() as cur:
        _, entry = statuses.select_joined(cur, *args, other_where=["date"], other_params=[day], outer=True)
    assert entry is not None and entry["id"] == pk


def test_there_is_no_way_to_write() -> None:
    assert not any(hasattr(Table, name) for name in ("insert", "update", "delete", "execute"))
    assert not hasattr(rawsql, "cached_sql")  # no free SQL text either


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
    base.pop("updated_at")
    march = DiaryMonth.objects.create(**base, month=dt.date(2026, 3, 1)).pk
    april = DiaryMonth.objects.create(**{**base, "days_recorded": 2}, month=dt.date(2026, 4, 1)).pk
    DiaryMonth.objects.create(**base, month=dt.date(2026, 5, 1))
    with connection.cursor() as cur:
        rows = months.select_in(
            cur, ["patient_id"], [world.patient.pk], "month", [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
        )
    assert sorted(r["id"] for r in rows) == sorted([march, april])
    by_month = {r["month"]: r for r in rows}
    assert by_month[dt.date(2026, 4, 1)]["days_recorded"] == 2
    assert by_month[dt.date(2026, 3, 1)]["medication_days_by_class"] == {"nsaid": 1}
    m = DiaryMonth.objects.get(pk=april)
    assert (m.month, m.days_recorded, m.headache_threshold_hours) == (dt.date(2026, 4, 1), 2, 4.0)

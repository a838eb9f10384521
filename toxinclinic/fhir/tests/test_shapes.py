"""Resources read as plain column values (search pages, the export) equal the same rows read as model
instances, on both databases (SQLite gives UUIDs as hex text and naive UTC datetimes, PostgreSQL
``uuid.UUID`` and aware datetimes)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from toxinclinic.fhir.resources import TYPES
from toxinclinic.fhir.serializers.shape import instant_text, uuid_text
from toxinclinic.fhir.tests.helpers import full_chart


def test_values_become_fhir_text_whatever_the_driver_gives() -> None:
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert uuid_text(u) == uuid_text(u.hex) == "12345678-1234-5678-1234-567812345678"
    ny = zoneinfo.ZoneInfo("America/New_York")
    aware = dt.datetime(2026, 12, 1, 22, 30, 15, 123456, tzinfo=ny)
    assert instant_text(aware) == "2026-12-02T03:30:15Z"
    assert instant_text(dt.datetime(2026, 12, 2, 3, 30, 15, 999)) == "2026-12-02T03:30:15Z"  # naive = UTC


@pytest.mark.django_db
def test_raw_rows_and_model_instances_give_the_same_resources(world: Any) -> None:
    full_chart(world)
    checked = 0
    for t in TYPES.values():
        for src in t.sources:
            if src.shape is None:
                continue
            qs = src.queryset().filter(**{src.clinic: world.clinic.pk}).order_by("pk")
            rows = src.fetch(qs)
            assert rows, src.key
            for row in rows:
                instance = qs.model.objects.get(pk=row.pk)
                from_row = src.expand(row)
                assert from_row == src.shape.of(instance), src.key
                assert row.patient_id == (instance.pk if src.patient == "" else instance.patient_id)
                for res in from_row:
                    get_fhir_model_class(res["resourceType"]).model_validate(res)
                checked += 1
    assert checked >= 7


@pytest.mark.django_db
def test_a_filter_that_can_match_nothing_reads_nothing(world: Any) -> None:
    src = TYPES["Observation"].sources[0]
    assert src.fetch(src.queryset().filter(patient_id__in=[])) == []

"""The benchmark network stores what the app's own writers would: month counts equal a recount from the
days, day flags equal the per-day engine, worklist rows equal a fresh refresh."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.network import build_network
from toxinclinic.clinical import diary as engine
from toxinclinic.coordinator import rows
from toxinclinic.coordinator.models import WorklistRow
from toxinclinic.diary import conf
from toxinclinic.diary.models import DiaryEntry, DiaryMonth
from toxinclinic.diary.months import month_fields, recount_month, to_engine_day
from toxinclinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_network_matches_the_writers(db: Any) -> None:
    stats = build_network(patients=12, years=1, seed=3, progress=False, chunk=5)
    assert stats.rows["patients"] == 12 and stats.rows["diary_days"] > 12 * 200
    th = conf.headache_threshold_hours()
    for p in Patient.objects.filter(clinic_id=stats.clinic_id)[:4]:
        for m in DiaryMonth.objects.filter(patient=p):
            want = month_fields(recount_month(p, m.month), th)
            got = {k: getattr(m, k) for k in want}
            assert got == want, m.month
        for e in DiaryEntry.objects.filter(patient=p)[:60]:
            k = engine.classify_day(to_engine_day(e), th)
            assert (e.headache_day, e.migraine_day, e.triptan_or_ergot_day) == (
                k.headache_day,
                k.migraine_day,
                k.triptan_or_ergot_day,
            )
    before = list(
        WorklistRow.objects.order_by("patient_id").values("tier", "attention_on", "diary_recorded_30")
    )
    rows.refresh(stats.clinic_id)
    after = list(
        WorklistRow.objects.order_by("patient_id").values("tier", "attention_on", "diary_recorded_30")
    )
    assert before == after and len(after) == 12


def test_network_and_demo_refuse_a_changed_diary_table(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both bulk diary writers share diary.demo.ENTRY_COLUMNS; a column the model lacks, or a required
    column left out, stops them before any row is written."""
    from toxinclinic.diary import demo

    monkeypatch.setattr(demo, "ENTRY_COLUMNS", (*demo.ENTRY_COLUMNS, "no_such_column"))
    with pytest.raises(RuntimeError, match="no_such_column"):
        build_network(patients=3, years=1, seed=3, progress=False)
    monkeypatch.setattr(demo, "ENTRY_COLUMNS", tuple(c for c in demo.ENTRY_COLUMNS if c != "date"))
    with pytest.raises(RuntimeError, match="'date'"):
        demo.check_entry_columns()
    assert not Patient.objects.exists()

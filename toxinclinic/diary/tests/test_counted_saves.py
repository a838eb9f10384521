"""The optimistic save keeps month counts and the medication-overuse verdict by adjusting stored counts
by the one day that changed. Whatever the sequence of saves, what is stored must equal a full recount
from the days (``refresh_month``) and the verdict judged from the days (``medication_overuse``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from toxinclinic.clinical import diary as engine
from toxinclinic.diary import services
from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.patients.models import Medication

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 5)  # early in a month: the backfill window reaches into a judged month


def _recount(patient: Any) -> dict[dt.date, dict[str, Any]]:
    out = {}
    for m in DiaryMonth.objects.filter(patient=patient):
        start, end = services.month_period(patient, m.month)
        threshold = services.conf.headache_threshold_hours()
        s = engine.summarize(
            services.days_between(patient, start, end), start, end, headache_threshold_hours=threshold
        )
        out[m.month] = services.month_fields(s, services.conf.headache_threshold_hours())
    return out


def _stored(patient: Any) -> dict[dt.date, dict[str, Any]]:
    return {
        m.month: {k: getattr(m, k) for k in services.month_fields(engine.summarize([], TODAY, TODAY), 0)}
        for m in DiaryMonth.objects.filter(patient=patient)
    }


@override_settings(TOXINCLINIC_DIARY_BACKFILL_DAYS=100)
def test_random_saves_keep_counts_equal_to_a_recount(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    meds = [
        Medication.objects.create(patient=world.patient, name=n, drug_class=c)
        for n, c in (("Sumatriptan", "triptan"), ("Ibuprofen", "nsaid"), ("Paracetamol", "simple_analgesic"))
    ]
    counted = {"adjusted": 0, "recounted": 0}
    rnd = random.Random(20261125)
    # Dense December–February (the judged months on 5 March), then edits anywhere in the window.
    days = [TODAY - dt.timedelta(days=k) for k in range(95)]
    order = days[::-1] + [rnd.choice(days) for _ in range(120)]
    for i, d in enumerate(order):
        headache = rnd.random() < 0.75
        chosen = [str(m.public_id) for m in meds if rnd.random() < 0.4] if headache else []
        data = services.DayInput(
            headache=headache,
            duration_hours=rnd.choice([1, 3.5, 4, 8, 24]) if headache else None,
            severity=rnd.choice(["mild", "moderate", "severe"]) if headache else None,
            features={k: rnd.random() < 0.5 for k in ("unilateral", "pulsating", "nausea", "photophobia")},
            medications=chosen,
            relieved_by_acute=bool(chosen) and rnd.random() < 0.5,
        )
        clean = services.validate_day(world.patient, d, data)
        if i == 0:
            services.save_day(world.patient, clean, actor=None)  # creates the status row
        else:
            # save_day's own steps, to see that each save adjusted the month by the one day.
            state = services.read_state(world.patient, d, TODAY)
            plan = services.plan_save(world.patient, clean, state, actor=None, expected_version=None)
            assert services.execute(world.patient, plan)
            counted["recounted" if plan.recounted else "adjusted"] += 1
        if i % 40 == 0 or i == len(order) - 1:
            assert _stored(world.patient) == _recount(world.patient)
            status = DiaryStatus.objects.get(patient=world.patient)
            verdict = services.medication_overuse(world.patient, TODAY)
            assert (status.moh_status, status.moh_reasons) == (verdict.status, list(verdict.reasons))
    assert DiaryEntry.objects.filter(patient=world.patient).count() == len(days)
    assert counted == {"adjusted": len(order) - 1, "recounted": 0}
    statuses = {s for s in DiaryStatus.objects.values_list("moh_status", flat=True)}
    assert statuses <= {"met", "not_met", "insufficient_data"}


@override_settings(TOXINCLINIC_DIARY_BACKFILL_DAYS=100)
def test_patient_enrolled_mid_month_is_judged_on_days(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    world.patient.enrolled_on = dt.date(2026, 1, 10)
    world.patient.save()
    d = world.patient.enrolled_on
    while d <= TODAY:
        data = services.DayInput(headache=True, duration_hours=6, severity="moderate")
        services.save_day(world.patient, services.validate_day(world.patient, d, data), actor=None)
        d += dt.timedelta(days=1)
    assert _stored(world.patient) == _recount(world.patient)
    jan = DiaryMonth.objects.get(patient=world.patient, month=dt.date(2026, 1, 1))
    assert (jan.period_start, jan.days_recorded) == (dt.date(2026, 1, 10), 22)
    status = DiaryStatus.objects.get(patient=world.patient)
    verdict = services.medication_overuse(world.patient, TODAY)
    assert status.moh_status == verdict.status == "not_met"  # February: 28 headache days, no medicine
    assert status.moh_reasons == list(verdict.reasons)


def test_counts_that_do_not_hold_the_day_are_recounted(world: Any) -> None:
    """A stored month that lost track of a day (e.g. edited by hand) is recounted, not made negative."""
    for n in (1, 2):
        clean = services.validate_day(
            world.patient,
            timezone.localdate() - dt.timedelta(days=n),
            services.DayInput(headache=True, duration_hours=8, severity="severe"),
        )
        services.save_day(world.patient, clean, actor=None)
    day = timezone.localdate() - dt.timedelta(days=1)
    # Only the re-saved day's month (the two days straddle a month's end on the 1st).
    DiaryMonth.objects.filter(patient=world.patient, month=services.month_start(day)).update(
        headache_days=0, days_recorded=0
    )
    clean = services.validate_day(world.patient, day, services.DayInput(headache=False))
    services.save_day(world.patient, clean, actor=None)
    assert _stored(world.patient) == _recount(world.patient)


def test_counted_and_recounted_saves_write_the_same_audit_event(world: Any) -> None:
    """The first save recounts under the lock (no status row yet), the second adjusts the counts from
    plain reads: the trail must not tell them apart."""
    from toxinclinic.audit.models import AuditEvent

    user = world.user("patient")
    for n in (2, 1):
        data = services.DayInput(
            headache=True, duration_hours=6, severity="moderate", features={"nausea": True}
        )
        clean = services.validate_day(world.patient, timezone.localdate() - dt.timedelta(days=n), data)
        services.save_day(world.patient, clean, actor=user)
    first, second = AuditEvent.objects.filter(action="diary.entry_created").order_by("id")
    assert set(first.changes) == set(second.changes)
    for key in ("headache", "nausea", "severity", "migraine_day", "reasons", "version", "entered_by"):
        assert first.changes[key] == second.changes[key], key
    assert second.changes["id"] == [None, DiaryEntry.objects.get(date=clean.day.date).pk]
    for attr in ("actor_id", "actor_label", "actor_role", "clinic_id", "patient_id", "object_type"):
        assert getattr(first, attr) == getattr(second, attr), attr
    assert second.object_id == str(DiaryEntry.objects.get(date=clean.day.date).public_id)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_patient_keep_exact_counts(world: Any) -> None:
    """Real threads, each with its own database connection, saving days of the same patient at once (some
    the same day): every save lands once, and the stored months equal a full recount."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip(
            "PostgreSQL only: the SQLite test database is in memory with a shared cache, whose table locks "
            "a file database in WAL mode does not have; SQLite writers take turns in core.locking.write_turn "
            "anyway"
        )
    first = services.validate_day(world.patient, timezone.localdate(), services.DayInput(headache=False))
    services.save_day(world.patient, first, actor=None)  # the status row exists: saves take the fast path
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def worker(i: int) -> None:
        try:
            start.wait()
            for n in range(5):
                d = timezone.localdate() - dt.timedelta(days=(i * 5 + n) % 12)
                h = (i + n) % 2 == 0
                data = services.DayInput(
                    headache=h, duration_hours=6 if h else None, severity="severe" if h else None
                )
                services.save_day(world.patient, services.validate_day(world.patient, d, data), actor=None)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert _stored(world.patient) == _recount(world.patient)
    assert DiaryStatus.objects.get(patient=world.patient).data_version == 1 + 6 * 5
    assert DiaryEntry.objects.filter(patient=world.patient).count() == 12


@override_settings(TOXINCLINIC_DIARY_BACKFILL_DAYS=100)
def test_a_changed_headache_threshold_recounts_before_adjusting(
    world: Any, monkeypatch: Any, settings: Any
) -> None:
    """Months counted with the old threshold are recounted (not adjusted) after the setting changes, and
    medication overuse is judged on the days until they are."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    for k in range(70):
        data = services.DayInput(headache=True, duration_hours=3, severity="moderate")
        d = TODAY - dt.timedelta(days=k)
        services.save_day(world.patient, services.validate_day(world.patient, d, data), actor=None)
    jan = DiaryMonth.objects.get(patient=world.patient, month=dt.date(2026, 1, 1))
    assert (jan.headache_days, jan.headache_threshold_hours) == (0, 4.0)  # 3 h < 4 h
    settings.TOXINCLINIC_HEADACHE_THRESHOLD_HOURS = 2.0
    data = services.DayInput(headache=True, duration_hours=3, severity="moderate")
    services.save_day(world.patient, services.validate_day(world.patient, TODAY, data), actor=None)
    services.save_day(
        world.patient, services.validate_day(world.patient, dt.date(2026, 2, 20), data), actor=None
    )
    assert _stored(world.patient)[dt.date(2026, 3, 1)] == _recount(world.patient)[dt.date(2026, 3, 1)]
    assert _stored(world.patient)[dt.date(2026, 2, 1)] == _recount(world.patient)[dt.date(2026, 2, 1)]
    feb = DiaryMonth.objects.get(patient=world.patient, month=dt.date(2026, 2, 1))
    assert (feb.headache_days, feb.headache_threshold_hours) == (28, 2.0)
    status = DiaryStatus.objects.get(patient=world.patient)
    verdict = services.medication_overuse(world.patient, TODAY)
    assert (status.moh_status, status.moh_reasons) == (verdict.status, list(verdict.reasons))


def test_a_newer_verdict_is_not_replaced_by_an_older_one(world: Any, monkeypatch: Any) -> None:
    """A save whose "today" is behind another process's (a request straddling midnight at a month's end)
    judges the newer months the status already holds, not the older ones."""
    for n in (2, 1):
        clean = services.validate_day(
            world.patient, timezone.localdate() - dt.timedelta(days=n), services.DayInput(headache=False)
        )
        services.save_day(world.patient, clean, actor=None)
    newer = services.month_end(services.shift_month(timezone.localdate(), 1))
    DiaryStatus.objects.filter(patient=world.patient).update(moh_end=newer)
    clean = services.validate_day(world.patient, timezone.localdate(), services.DayInput(headache=False))
    services.save_day(world.patient, clean, actor=None)
    assert DiaryStatus.objects.get(patient=world.patient).moh_end == newer
    assert services.refresh_stale_moh(world.clinic.pk) == 0
    assert DiaryStatus.objects.get(patient=world.patient).moh_end == newer

"""The stored per-cycle outcomes follow every fact they are judged from, through the real writers: a signed
session recorded (treatment), diary days saved (the month's counts), a questionnaire answered or removed;
and a bulk refresh gives the same rows."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command

from conftest import make_patient
from toxinclinic.cycles import report, services
from toxinclinic.cycles.models import CycleOutcome
from toxinclinic.cycles.outcomes import refresh_patient
from toxinclinic.diary import services as diary
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.testing import today
from toxinclinic.treatment.services import record_session
from toxinclinic.visits.models import Visit

pytestmark = pytest.mark.django_db

FIELDS = [f.name for f in CycleOutcome._meta.fields if f.name not in ("id", "updated_at")]


def _days(patient, first: dt.date, headache_days: int) -> int:
    """Save every day of ``first``'s month through the diary; returns the days in the month."""
    end = diary.month_end(first)
    d = first
    while d <= end:
        ache = d.day <= headache_days
        day = diary.DayInput(
            headache=ache, duration_hours=6 if ache else None, severity="moderate" if ache else None
        )
        diary.save_day(patient, diary.validate_day(patient, d, day, today=d), actor=None)
        d += dt.timedelta(days=1)
    return end.day


def _rows(patient) -> list[dict]:
    return list(CycleOutcome.objects.filter(patient=patient).order_by("session_id").values(*FIELDS))


def test_rows_follow_every_writer(world):
    clinician = world.user("clinician")
    p = make_patient(world.clinic, "S001", "Stored", "Rows")
    a = diary.shift_month(diary.month_start(today()), -2)
    b = diary.shift_month(a, 1)
    p.enrolled_on = a
    p.save()
    days_a = _days(p, a, 20)
    assert not CycleOutcome.objects.exists()  # no session, no cycle
    visit = Visit.objects.create(
        clinic=world.clinic,
        patient=p,
        visit_date=b.replace(day=5),
        indication="chronic_migraine",
        product="botox",
        protocol="preempt_ftp",
        clinician=clinician,
        created_by=clinician,
    )
    record_session(
        visit_id=visit.public_id,
        patient=p,
        clinic_id=world.clinic.pk,
        injected_on=b.replace(day=5),
        product="botox",
        indication="chronic_migraine",
        total_units=155,
        sites=[{"muscle": "frontalis", "side": "left", "units": 5}],
        signed_by=clinician,
    )
    (row,) = CycleOutcome.objects.filter(patient=p)
    assert (row.cycle, row.has_baseline, row.headache_change) == (1, True, None)
    assert (row.protocol, row.injector_id, row.product) == ("preempt_ftp", clinician.pk, "botox")

    days_b = _days(p, b, 8)
    row.refresh_from_db()
    expect = round(round(8 * 30 / days_b, 1) - round(20 * 30 / days_a, 1), 1)
    assert row.headache_change == expect == services.patient_timeline(p).cycles[0].cycle.headache_change
    assert row.responder_50 is True and row.responder_30 is True and row.reduction_pct >= 50

    QuestionnaireResponse.objects.create(
        patient=p, clinic=world.clinic, instrument="hit6", answers={}, total=64, timepoint="baseline",
        completed_on=a.replace(day=20),
    )  # fmt: skip
    later = QuestionnaireResponse.objects.create(
        patient=p, clinic=world.clinic, instrument="hit6", answers={}, total=58, timepoint="other",
        completed_on=b.replace(day=20),
    )  # fmt: skip
    row.refresh_from_db()
    assert row.hit6_change == -6.0
    later.delete()
    row.refresh_from_db()
    assert row.hit6_change is None

    # A replaced baseline day (no headache → headache) moves the baseline, so the change.
    ache = diary.DayInput(headache=True, duration_hours=6, severity="moderate")
    day = a.replace(day=25)
    diary.save_day(p, diary.validate_day(p, day, ache, today=day), actor=None)
    row.refresh_from_db()
    assert row.headache_change == round(round(8 * 30 / days_b, 1) - round(21 * 30 / days_a, 1), 1)

    # A day in a month that stays insufficient (this month, one day so far) cannot change a cycle figure:
    # the diary says so and the row is not rewritten; the day that makes it sufficient does rewrite it.
    stamp = CycleOutcome.objects.get(pk=row.pk).updated_at
    this = diary.month_start(today())
    diary.save_day(p, diary.validate_day(p, this, ache, today=this), actor=None)
    assert CycleOutcome.objects.get(pk=row.pk).updated_at == stamp

    # The report filters on what the row stores; one patient is suppressed but counted.
    rep = report.build(report.Filters(world.clinic.pk, protocol="preempt_ftp", injector_id=clinician.pk))
    assert rep.patients_with_baseline == 1 and rep.patients_suppressed
    assert report.build(report.Filters(world.clinic.pk, protocol="preempt")).patients_with_baseline == 0

    # The writers' rows are what a fresh recompute gives, and the command rebuilds them.
    stored = _rows(p)
    refresh_patient(p.pk)
    assert _rows(p) == stored
    CycleOutcome.objects.all().delete()
    call_command("refresh_cycle_outcomes", stdout=io.StringIO())
    assert _rows(p) == stored


def test_a_second_session_renumbers_and_the_first_keeps_its_row(world):
    p = make_patient(world.clinic, "S002", "Two", "Sessions")
    first = today() - dt.timedelta(days=200)
    for on in (first + dt.timedelta(days=100), first):  # recorded out of order
        record_session(
            visit_id=uuid.uuid4(), patient=p, clinic_id=world.clinic.pk, injected_on=on, product="botox",
            indication="chronic_migraine", total_units=155, sites=[],
        )  # fmt: skip
    rows = CycleOutcome.objects.filter(patient=p).order_by("injected_on")
    assert [(r.injected_on, r.cycle) for r in rows] == [(first, 1), (first + dt.timedelta(days=100), 2)]
    assert not any(r.has_baseline for r in rows)  # no diary before the first session

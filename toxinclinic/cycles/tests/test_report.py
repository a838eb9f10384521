"""The clinic report: aggregates and intervals against a direct computation, small-group suppression,
filters, access, audit, CSV and charts."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest

from conftest import make_patient
from toxinclinic.audit.models import AuditEvent
from toxinclinic.clinical import outcomes_stats as stats
from toxinclinic.cycles import report, services
from toxinclinic.cycles.tests.helpers import story
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db

# (baseline, per-cycle headache days of 28 recorded) for hand-built patients
STORIES = [(20, [12, 8, 6]), (18, [16, 15, 15]), (24, [10, 6, 5]), (16, [14, 9, 7]), (22, [20, 19, 21]),
           (19, [9, 8, 8]), (25, [18, 12, 10])]  # fmt: skip


def _clinic(world, stories=STORIES):
    start = today() - dt.timedelta(days=330)
    patients = []
    for i, (b, per) in enumerate(stories):
        p = make_patient(world.clinic, f"R{i:03d}", f"P{i}", "Test")
        story(p, start, b, per)
        patients.append(p)
    return patients


def _per30(hd: int) -> float:
    return round(hd * 30 / 28, 1)


def test_aggregates_match_direct_computation(world):
    _clinic(world)
    rep = report.build(report.Filters(world.clinic.pk))
    assert rep.patients_with_baseline == len(STORIES)
    for n in (1, 2, 3):
        row = next(r for r in rep.rows_for("headache_days") if r.cycle == n)
        changes = [round(_per30(per[n - 1]) - _per30(b), 1) for b, per in STORIES]
        m, sd = statistics.mean(changes), statistics.stdev(changes)
        half = stats.t_975(len(changes) - 1) * sd / math.sqrt(len(changes))
        assert row.summary.mean.value == round(m, 2)
        assert row.summary.mean.low == round(m - half, 2) and row.summary.mean.high == round(m + half, 2)
        assert row.summary.median.value == round(statistics.median(changes), 2)
        pcts = [round((_per30(b) - _per30(per[n - 1])) / _per30(b) * 100, 1) for b, per in STORIES]
        assert row.summary.responders_50.value == round(sum(p >= 50 for p in pcts) / len(pcts) * 100, 1)
        assert row.summary.responders_30.value == round(sum(p >= 30 for p in pcts) / len(pcts) * 100, 1)
        assert row.summary.n == len(STORIES)
    hit = next(r for r in rep.rows_for("hit6") if r.cycle == 2)
    assert hit.summary.mean.value == -6.0  # 62 before, 56 in cycle 2, for everyone
    assert any(
        f.source == "preempt_24_responders"
        for f in next(r for r in rep.rows if r.cycle == 2 and r.measure == "headache_days").references
    )


def test_database_path_equals_the_engine_per_patient(world):
    patients = _clinic(world)
    rep = report.build(report.Filters(world.clinic.pk))
    for n in (1, 2, 3):
        engine_changes = [services.patient_timeline(p).cycles[n - 1].cycle.headache_change for p in patients]
        row = next(r for r in rep.rows_for("headache_days") if r.cycle == n)
        assert row.summary.mean.value == round(statistics.mean(engine_changes), 2)


def test_small_groups_are_suppressed(world):
    _clinic(world, STORIES[:4])
    rep = report.build(report.Filters(world.clinic.pk))
    assert rep.patients_suppressed
    assert all(r.summary.mean.suppressed and r.summary.mean.value is None for r in rep.rows)
    lines = report.csv_rows(rep)
    assert all("fewer than 5" in line[3] for line in lines[1:])
    # the same filters through the API never give a number
    five = report.build(report.Filters(world.clinic.pk, product="dysport"))
    assert five.rows == [] and five.patients_suppressed


def test_filters(world):
    _clinic(world)
    later = report.build(report.Filters(world.clinic.pk, start=today() - dt.timedelta(days=120)))
    assert {r.cycle for r in later.rows} == {3}
    none = report.build(report.Filters(world.clinic.pk, protocol="preempt_ftp"))
    assert none.rows == []


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinician", 200), ("admin", 200), ("nurse", 403), ("coordinator", 403), ("patient", 403)],
)
def test_who_may_see_the_report(world, client_as, role, status):
    assert client_as(role).get("/cycles/outcomes/").status_code == status


def test_report_screen_csv_chart_and_audit(world, client_as):
    _clinic(world)
    c = client_as("clinician")
    r = c.get("/cycles/outcomes/")
    body = r.content.decode()
    assert r.status_code == 200 and "7</strong> patients" in body and "COMPEL" in body
    assert "29404713" in body  # the citation is on the screen
    csv = c.get("/cycles/outcomes/export.csv?indication=chronic_migraine")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0].startswith("cycle,measure")
    png = c.get("/cycles/outcomes/headache_days.png")
    assert png.content[:4] == b"\x89PNG"
    actions = set(
        AuditEvent.objects.filter(actor_id=world.user("clinician").pk).values_list("action", flat=True)
    )
    assert {"outcomes_report.viewed", "outcomes_report.exported", "outcomes_report.chart_viewed"} <= actions
    bad = c.get("/cycles/outcomes/?start=2026-05-01&end=2026-01-01")
    assert bad.status_code == 400 and "before its start" in bad.content.decode()


def test_report_api(world, client_as):
    _clinic(world)
    r = client_as("admin").get("/api/v1/cycles/outcomes?indication=chronic_migraine")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["patients_with_baseline"] == 7 and data["min_group_size"] == 5
    assert client_as("admin").get("/api/v1/cycles/outcomes?indication=nope").status_code == 422
    assert client_as("nurse").get("/api/v1/cycles/outcomes").status_code == 403

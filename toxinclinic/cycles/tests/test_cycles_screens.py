"""The patient's cycle screens (clinician and patient versions), the API, access and audit."""

from __future__ import annotations

import datetime as dt

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.cycles import services
from toxinclinic.cycles.tests.helpers import story
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def _story(patient):
    start = today() - dt.timedelta(days=330)
    return story(patient, start, 20, [12, 8, 6])


def test_timeline_from_stored_months(world):
    sessions = _story(world.patient)
    pt = services.patient_timeline(world.patient)
    assert [v.cycle.start for v in pt.cycles] == sessions
    assert pt.timeline.baseline.headache_per_30 == round(40 * 30 / 56, 1)
    c1, c2, _ = pt.cycles
    assert c1.cycle.counts.headache_per_30 == round(12 * 30 / 28, 1)
    assert c2.cycle.verdict.decision == "continue"
    assert c1.cycle.verdict.status == "too_early"
    assert [r["total"] for r in c1.scores] == [59.0]


def test_clinician_screen_and_audit(world, client_as):
    _story(world.patient)
    c = client_as("clinician")
    r = c.get(f"/cycles/patients/{world.patient.public_id}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Cycles side by side" in body and "Continue" in body and "Botox" in body
    assert AuditEvent.objects.filter(action="chart.viewed", patient_id=world.patient.pk).exists()
    png = c.get(f"/cycles/patients/{world.patient.public_id}/chart.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("role", "status"),
    [("nurse", 200), ("clinician", 200), ("coordinator", 403), ("admin", 403), ("other_clinician", 404)],
)
def test_who_may_open_a_patients_cycles(world, client_as, role, status):
    r = client_as(role).get(f"/cycles/patients/{world.patient.public_id}/")
    assert r.status_code == status


def test_patient_plain_words(world, client_as):
    _story(world.patient)
    c = client_as("patient")
    assert c.get(f"/cycles/patients/{world.patient.public_id}/").status_code == 302
    r = c.get("/cycles/mine/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "headache days a month" in body and "good response" in body
    assert c.get("/cycles/mine/chart.png")["Content-Type"] == "image/png"
    # the other patient sees their own (empty) page, never this one's
    other = client_as("patient2").get("/cycles/mine/").content.decode()
    assert "not had a treatment yet" in other


def test_api_timeline(world, client_as):
    _story(world.patient)
    r = client_as("nurse").get(f"/api/v1/cycles/patients/{world.patient.public_id}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert len(data["cycles"]) == 3
    assert data["cycles"][1]["verdict"]["decision"] == "continue"
    assert client_as("patient").get("/api/v1/cycles/mine").json()["usable_baseline"] is True
    assert (
        client_as("other_clinician").get(f"/api/v1/cycles/patients/{world.patient.public_id}").status_code
        == 404
    )

"""The published read interface other rooms use: each patient's next appointment, and who is booked."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.scheduling.appointments import has_booked_or_open, next_appointments
from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

pytestmark = pytest.mark.django_db


def _appt(
    world: Any, patient: Any, days: int, kind: str = AppointmentKind.INJECTION, **kw: Any
) -> Appointment:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return Appointment.objects.create(
        clinic=patient.clinic,
        patient=patient,
        clinician=world.user("clinician"),
        kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        **kw,
    )


def test_next_appointment_per_patient_skips_past_and_cancelled(world: Any) -> None:
    _appt(world, world.patient, -3)
    _appt(world, world.patient, 2, status=AppointmentStatus.CANCELLED)
    later = _appt(world, world.patient, 9)
    _appt(world, world.patient, 20)
    phone = _appt(world, world.patient2, 4, kind=AppointmentKind.PHONE)
    ids = [world.patient.pk, world.patient2.pk, world.other_patient.pk]
    got = next_appointments(world.clinic.pk, ids)
    assert got == {world.patient.pk: later, world.patient2.pk: phone}
    assert next_appointments(world.clinic.pk, ids, kind=AppointmentKind.INJECTION) == {
        world.patient.pk: later
    }
    assert next_appointments(world.other_clinic.pk, ids) == {}
    assert has_booked_or_open(world.clinic.pk, ids) == {world.patient.pk}  # a phone call is not a booking


def test_json_api_books_refuses_with_422_and_cancels(world: Any, client_as: Any) -> None:
    from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic

    open_clinic(world)
    c = client_as("coordinator")
    day = next_weekday(10)
    slots = c.get(f"/api/v1/appointments/slots?patient={world.patient.public_id}&kind=follow_up&limit=2")
    assert slots.status_code == 200, slots.content
    body = slots.json()
    assert len(body["slots"]) == 2 and body["window_opens"] is None
    who = str(world.user("clinician").public_id)
    payload = {"patient": str(world.patient.public_id), "clinician": who, "kind": "follow_up",
               "starts_at": at(world, day, 9).isoformat()}  # fmt: skip
    r = c.post("/api/v1/appointments", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    appt_id = r.json()["id"]
    assert r.json()["kind_label"] == "Follow-up" and r.json()["status_label"] == "Booked"
    clash = c.post("/api/v1/appointments", payload, content_type="application/json")
    assert clash.status_code == 422 and "Double booking" in clash.json()["detail"][0]["msg"]
    night = {**payload, "starts_at": at(world, day, 20).isoformat()}
    out = c.post("/api/v1/appointments", night, content_type="application/json")
    assert out.status_code == 422 and "opening hours" in out.json()["detail"][0]["msg"]
    assert Appointment.objects.count() == 1
    listed = c.get(f"/api/v1/appointments?patient={world.patient.public_id}").json()["items"]
    assert [x["id"] for x in listed] == [appt_id]
    r = c.post(f"/api/v1/appointments/{appt_id}/cancel", {"reason": "Unwell", "sequence": 0},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = c.post(f"/api/v1/appointments/{appt_id}/cancel", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409
    assert client_as("other_clinician").get(f"/api/v1/appointments/{appt_id}").status_code == 404
    assert c.get("/api/v1/recalls").status_code == 200


def test_reading_one_appointment_through_the_api_is_an_audited_chart_read(world: Any, client_as: Any) -> None:
    from toxinclinic.audit.models import AuditEvent

    appt = _appt(world, world.patient, 5)
    reads = AuditEvent.objects.filter(action="chart.viewed", patient_id=world.patient.pk)
    before = reads.count()
    assert client_as("coordinator").get(f"/api/v1/appointments/{appt.public_id}").status_code == 200
    assert reads.count() == before + 1
    assert reads.latest("id").data == {"what": "appointment (API)"}
    assert client_as("other_clinician").get(f"/api/v1/appointments/{appt.public_id}").status_code == 404
    assert reads.count() == before + 1  # a refused read records nothing


def test_the_appointment_changes_that_can_conflict_document_409() -> None:
    """Each of these answers 409 on a stale sequence or an appointment no longer booked (the fuzzer found
    the status undocumented); the OpenAPI document says so for exactly these."""
    from toxinclinic.api.main import api

    doc = json.loads(json.dumps(api.get_openapi_schema()))
    base = "/api/v1/appointments/{public_id}/"
    for step in ("cancel", "reschedule", "no-show", "attended"):
        responses = doc["paths"][base + step]["post"]["responses"]
        assert responses["409"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, step
    assert "409" not in doc["paths"]["/api/v1/appointments"]["post"]["responses"]

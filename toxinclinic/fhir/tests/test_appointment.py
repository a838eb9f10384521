"""Appointment: status codes, participants, plain-text kind, search by patient/date/_lastUpdated, keyset
paging, scopes, the patient's own token, audit, and $export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from toxinclinic.audit.models import AuditEvent
from toxinclinic.fhir.tests.helpers import appointment, get_token, make_client


def get(client: Any, tok: str, path: str, **params: Any) -> Any:
    return client.get(f"/fhir/R4/{path}", params, HTTP_AUTHORIZATION=f"Bearer {tok}")


def ids(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def validate(res: dict[str, Any]) -> None:
    get_fhir_model_class(res["resourceType"]).model_validate(res)


@pytest.mark.django_db
def test_statuses_participants_and_kind_in_words(world: Any, client: Any) -> None:
    booked = appointment(world, world.patient, days=3, status="booked", status_reason="")
    cancelled = appointment(
        world, world.patient, days=4, status="cancelled", status_reason="Botox reaction worry"
    )
    noshow = appointment(world, world.patient, days=-3, status="no_show", kind="phone")
    fulfilled = appointment(world, world.patient, days=-10, status="attended", kind="new_patient")
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)
    want = {booked: "booked", cancelled: "cancelled", noshow: "noshow", fulfilled: "fulfilled"}
    for appt, code in want.items():
        r = get(client, tok, f"Appointment/{appt.public_id}")
        assert r.status_code == 200, r.content
        res = r.json()
        validate(res)
        assert res["status"] == code
        actors = [p["actor"]["reference"] for p in res["participant"]]
        assert actors == [
            f"Patient/{world.patient.public_id}",
            f"Practitioner/{world.user('clinician').public_id}",
            f"Location/{appt.location.public_id}",
        ]
        assert res["appointmentType"] == {"text": appt.get_kind_display()}
        assert res["serviceType"] == [{"text": appt.get_kind_display()}]
        assert "coding" not in res["appointmentType"]
        assert res["end"] > res["start"] and res["minutesDuration"] == 30
    # No clinical detail: the typed cancellation reason stays inside the clinic.
    body = get(client, tok, f"Appointment/{cancelled.public_id}").content.decode()
    assert "reaction" not in body and "cancelationReason" not in body and "comment" not in body
    # Every read is audited as a chart read naming the client.
    assert (
        AuditEvent.objects.filter(
            action="chart.viewed", patient_id=world.patient.pk, data__client=str(c.public_id)
        ).count()
        == len(want) + 1
    )


@pytest.mark.django_db
def test_search_by_patient_date_last_updated_and_keyset_paging(world: Any, client: Any) -> None:
    mine = [appointment(world, world.patient, days=d) for d in (-20, -5, 2, 9, 30)]
    theirs = appointment(world, world.patient2, days=2)
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)
    pid = str(world.patient.public_id)
    everything = ids(get(client, tok, "Appointment", patient=pid, _count=500).json())
    assert set(everything) == {str(a.public_id) for a in mine}
    # Date is the start; a day-precision bound on a datetime.
    cut = timezone.localdate() + dt.timedelta(days=1)
    ahead = ids(get(client, tok, "Appointment", patient=f"Patient/{pid}", date=f"ge{cut}").json())
    assert set(ahead) == {str(a.public_id) for a in mine if a.starts_at.date() >= cut}
    assert len(ahead) == 3
    both = ids(get(client, tok, "Appointment", date=f"ge{cut}", _count=500).json())
    assert str(theirs.public_id) in both
    # _lastUpdated: only what changed after the cut.
    from toxinclinic.scheduling.models import Appointment

    later = timezone.now() + dt.timedelta(hours=2)
    Appointment.objects.filter(pk=mine[0].pk).update(updated_at=later)
    since = (later - dt.timedelta(minutes=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = ids(get(client, tok, "Appointment", _lastUpdated=f"ge{since}").json())
    assert changed == [str(mine[0].public_id)]
    # Keyset paging: _count=2 over six appointments is three pages, no repeats, a signed cursor.
    seen: list[str] = []
    r = get(client, tok, "Appointment", _count=2).json()
    pages = 0
    while True:
        pages += 1
        seen += ids(r)
        nxt = [link["url"] for link in r["link"] if link["relation"] == "next"]
        if not nxt:
            break
        assert "_cursor=" in nxt[0] and "_offset" not in nxt[0]
        r = client.get(nxt[0], HTTP_AUTHORIZATION=f"Bearer {tok}").json()
    assert pages == 3 and len(seen) == len(set(seen)) == 6
    assert get(client, tok, "Appointment", _summary="count").json()["total"] == 6
    assert get(client, tok, "Appointment", code="injection").status_code == 400


@pytest.mark.django_db
def test_scopes_clinic_and_patient_token(world: Any, client: Any) -> None:
    appointment(world, world.patient)
    own = appointment(world, world.patient2)
    # A token without Appointment in its scopes is refused and the refusal audited.
    c, key = make_client(world.clinic, scopes="system/Patient.read")
    tok = get_token(client, c, key, scope="system/Patient.read")
    assert get(client, tok, "Appointment").status_code == 403
    assert get(client, tok, f"Appointment/{own.public_id}").status_code == 403
    assert AuditEvent.objects.filter(action="fhir.refused", data__reason="scope").count() == 2
    # SMART v2 per-type scope is enough.
    c2, key2 = make_client(world.clinic, scopes="system/Appointment.rs", name="calendar")
    tok2 = get_token(client, c2, key2, scope="system/Appointment.rs")
    assert len(ids(get(client, tok2, "Appointment").json())) == 2
    # A patient's own app sees only that patient's appointments.
    c3, key3 = make_client(world.clinic, scopes="patient/*.read", patient=world.patient2, name="app")
    tok3 = get_token(client, c3, key3, scope="patient/*.read")
    assert ids(get(client, tok3, "Appointment").json()) == [str(own.public_id)]
    # Another clinic's client sees none of them.
    c4, key4 = make_client(world.other_clinic, name="elsewhere")
    tok4 = get_token(client, c4, key4)
    assert get(client, tok4, "Appointment").json().get("entry", []) == []
    assert get(client, tok4, f"Appointment/{own.public_id}").status_code == 404


@pytest.mark.django_db
def test_capability_and_export(world: Any, client: Any, tmp_path: Path, settings: Any) -> None:
    from toxinclinic.fhir.export import job_dir
    from toxinclinic.fhir.models import ExportJob, ExportStatus
    from toxinclinic.fhir.tasks import run_export

    settings.MEDIA_ROOT = tmp_path / "media"
    cs = client.get("/fhir/R4/metadata").json()
    entry = next(r for r in cs["rest"][0]["resource"] if r["type"] == "Appointment")
    assert {p["name"] for p in entry["searchParam"]} == {"patient", "date", "_id", "_lastUpdated"}
    appts = [appointment(world, world.patient, days=d) for d in (1, 2)] + [appointment(world, world.patient2)]
    c, key = make_client(world.clinic)
    h = {"HTTP_AUTHORIZATION": f"Bearer {get_token(client, c, key)}", "HTTP_PREFER": "respond-async"}
    assert client.get("/fhir/R4/$export", {"_type": "Appointment"}, **h).status_code == 202
    job = ExportJob.objects.get()
    run_export.call(str(job.public_id))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.output == [{"type": "Appointment", "count": 3, "file": "Appointment.ndjson"}]
    lines = (job_dir(job) / "Appointment.ndjson").read_text().splitlines()
    got = [json.loads(line) for line in lines]
    for res in got:
        validate(res)
    assert sorted(r["id"] for r in got) == sorted(str(a.public_id) for a in appts)
    # Patient-level export includes Appointment by default (it belongs to a patient).
    assert client.get("/fhir/R4/Patient/$export", **h).status_code == 202
    assert "Appointment" in ExportJob.objects.latest("created_at").types

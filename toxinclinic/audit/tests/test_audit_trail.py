"""Creating, changing and deleting chart records writes before/after audit rows; rows are immutable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from toxinclinic.audit.models import AuditEvent, AuditImmutable
from toxinclinic.patients.models import Allergy


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_create_change_delete_via_html_forms(world: Any, client_as: Any) -> None:
    client = client_as("nurse")
    base = f"/patients/{world.patient.public_id}/allergies/"
    r = client.post(
        base + "new/",
        {"substance": "Albumin", "botulinum_toxin": "on", "reaction": "Hives", "severity": "severe"},
    )
    assert r.status_code == 302
    allergy = Allergy.objects.get(patient=world.patient)
    [created] = _events("allergy.created")
    assert created.actor_id == world.user("nurse").pk
    assert created.clinic_id == world.clinic.pk and created.patient_id == world.patient.pk
    assert created.changes["substance"] == [None, "Albumin"]
    assert created.changes["botulinum_toxin"] == [None, True]

    r = client.post(
        base + f"{allergy.public_id}/",
        {
            "substance": "Albumin",
            "botulinum_toxin": "on",
            "reaction": "Anaphylaxis",
            "severity": "severe",
            "version": 1,
        },
    )
    assert r.status_code == 302
    [changed] = _events("allergy.updated")
    assert changed.changes["reaction"] == ["Hives", "Anaphylaxis"]
    assert changed.changes["version"] == [1, 2]
    assert "substance" not in changed.changes  # only what changed

    r = client.post(base + f"{allergy.public_id}/delete/", {"version": 2})
    assert r.status_code == 302
    assert not Allergy.objects.filter(pk=allergy.pk).exists()
    [deleted] = _events("allergy.deleted")
    assert deleted.changes["substance"] == ["Albumin", None]
    assert deleted.object_id == str(allergy.public_id)


def test_api_patch_is_audited_with_before_and_after(world: Any, client_as: Any) -> None:
    client = client_as("coordinator")
    r = client.patch(
        f"/api/v1/patients/{world.patient.public_id}",
        json.dumps({"version": 1, "phone": "(617) 555-0100"}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    [ev] = _events("patient.updated")
    assert ev.changes["phone"] == ["", "(617) 555-0100"]
    assert ev.actor_role == "coordinator"


def test_staff_chart_read_is_recorded_and_visible_to_the_patient(world: Any, client_as: Any) -> None:
    client_as("clinician").get(f"/patients/{world.patient.public_id}/")
    [ev] = _events("chart.viewed")
    assert ev.patient_id == world.patient.pk and ev.actor_id == world.user("clinician").pk
    page = client_as("patient").get("/me/access-log/").content.decode()
    assert "Clinician Tester" in page
    # The patient opening their own chart is not an access event.
    client_as("patient").get(f"/patients/{world.patient.public_id}/")
    assert len(_events("chart.viewed")) == 1


def test_edit_forms_are_staff_chart_reads(world: Any, client_as: Any) -> None:
    """An edit form shows the chart data it edits: opening it is a read like opening the chart."""
    allergy = Allergy.objects.create(patient=world.patient, substance="Albumin", reaction="Hives")
    c = client_as("nurse")
    assert c.get(f"/patients/{world.patient.public_id}/edit/").status_code == 200
    assert c.get(f"/patients/{world.patient.public_id}/allergies/{allergy.public_id}/").status_code == 200
    reads = _events("chart.viewed")
    assert [e.data["what"] for e in reads] == ["demographics (edit form)", "allergy (edit form)"]
    assert {(e.patient_id, e.actor_id) for e in reads} == {(world.patient.pk, world.user("nurse").pk)}


def test_audit_rows_cannot_be_changed_or_deleted(world: Any) -> None:
    ev = AuditEvent.objects.create(action="test.event", actor_label="x")
    ev.action = "tampered"
    with pytest.raises(AuditImmutable):
        ev.save()
    with pytest.raises(AuditImmutable):
        ev.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=ev.pk).update(action="tampered")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=ev.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_database_trigger_refuses_raw_sql_update_and_delete(world: Any) -> None:
    ev = AuditEvent.objects.create(action="test.event", actor_label="x")
    statements = ["UPDATE audit_auditevent SET action = 'x' WHERE id = %s"]
    if connection.vendor == "postgresql":
        # SQLite cannot tell a test flush from a delete; there the model layer refuses deletes.
        statements.append("DELETE FROM audit_auditevent WHERE id = %s")
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [ev.pk])
    assert AuditEvent.objects.get(pk=ev.pk).action == "test.event"


def test_admin_audit_screen_filters_and_is_clinic_scoped(world: Any, client_as: Any) -> None:
    client_as("clinician").get(f"/patients/{world.patient.public_id}/")
    client_as("other_clinician").get(f"/patients/{world.other_patient.public_id}/")
    page = client_as("admin").get("/audit/", {"action": "chart.viewed", "mrn": "A001"}).content.decode()
    assert "Chart of Ada Lovelace: opened by Clinician Tester" in page
    assert "Other_Clinician" not in page
    r = client_as("admin").get("/audit/", {"since": "yesterday"})
    assert r.status_code == 400 and "From: this is not a date" in r.content.decode()

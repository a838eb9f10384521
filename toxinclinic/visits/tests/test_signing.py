"""Signing a prepared visit freezes the note, stores billing lines, uses the vials, sets the recall,
audits, and sends ``visit_signed`` after commit."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.signals import visit_signed
from toxinclinic.inventory.models import VialStatus
from toxinclinic.scheduling.models import Recall
from toxinclinic.visits import services as svc
from toxinclinic.visits.models import NoteImmutable, SignedNote
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def test_sign_preempt_visit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    v = prepared_visit(world)
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kw: Any) -> None:
        received.append(kw)

    visit_signed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    finally:
        visit_signed.disconnect(receiver)
    v.refresh_from_db()
    assert v.is_signed and float(v.total_units) == 155
    assert note.version == 1
    assert [b.display for b in v.billing_lines.all()] == ["64615 × 1", "J0585 × 155", "J0585-JW × 45"]
    assert {u.vial.status for u in v.vial_uses.all()} == {VialStatus.USED}
    recall = Recall.objects.get(patient=world.patient)
    assert (recall.due_on - v.visit_date).days == 84
    assert note.content["totals"]["total"] == 155
    assert len(note.content["sites"]) == 31
    assert AuditEvent.objects.filter(action="visit.signed", object_id=str(v.public_id)).exists()
    assert len(received) == 1
    kw = received[0]
    assert kw["visit_id"] == str(v.public_id) and kw["total_units"] == 155.0
    assert kw["product"] == "botox" and len(kw["sites"]) == 31 and kw["patient"] == world.patient


def test_signed_note_cannot_change(world: Any) -> None:
    v = prepared_visit(world)
    note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    note.content = {"changed": True}
    with pytest.raises(NoteImmutable):
        note.save()
    with pytest.raises(NoteImmutable):
        note.delete()
    assert SignedNote.objects.get(pk=note.pk).content["totals"]["total"] == 155

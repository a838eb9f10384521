"""Outreach attempts and assignment: recorded, audited, and the patient's worklist row refreshed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.accounts.models import Role, User
from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.coordinator import rows
from toxinclinic.coordinator.models import Assignment, OutreachAttempt, OutreachOutcome
from toxinclinic.core.errors import FieldError
from toxinclinic.patients.models import Patient

NOTE_MAX = 2000


def record_outreach(
    patient: Patient,
    *,
    actor: Any,
    outcome: str,
    note: str = "",
    next_contact_on: dt.date | None = None,
) -> OutreachAttempt:
    """One contact attempt (who, what came of it, when to try next)."""
    errors: dict[str, list[str]] = {}
    if outcome not in OutreachOutcome.values:
        errors["outcome"] = [f"Choose what happened: {', '.join(OutreachOutcome.labels)}."]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"Keep the note under {NOTE_MAX} characters (it has {len(note)})."]
    if next_contact_on is not None and next_contact_on < timezone.localdate():
        errors["next_contact_on"] = ["The next contact date cannot be in the past."]
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        attempt = OutreachAttempt.objects.create(
            patient=patient,
            clinic_id=patient.clinic_id,
            outcome=outcome,
            note=note,
            next_contact_on=next_contact_on,
            coordinator=actor,
        )
        record_change("outreach.recorded", attempt, None, actor=actor)
        rows.refresh(patient.clinic_id, [patient.pk])
    return attempt


def staff_for_assignment(clinic_id: int) -> list[User]:
    """Who may be assigned a patient: the clinic's active coordinators."""
    return list(
        User.objects.filter(clinic_id=clinic_id, role=Role.COORDINATOR, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )


def assign(patient: Patient, coordinator: User | None, *, actor: Any) -> Assignment | None:
    """Assign ``patient`` to ``coordinator`` (None: unassign)."""
    if coordinator is not None and (
        coordinator.clinic_id != patient.clinic_id
        or coordinator.role != Role.COORDINATOR
        or not coordinator.is_active
    ):
        raise FieldError.one("coordinator", "Choose an active coordinator of this clinic.")
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(patient=patient).first()
        before = snapshot(current) if current else None
        if coordinator is None:
            if current is not None:
                record_change("assignment.removed", current, before, actor=actor, deleted=True)
                current.delete()
            result = None
        else:
            current = current or Assignment(patient=patient, clinic_id=patient.clinic_id)
            current.coordinator = coordinator
            current.assigned_by = actor if getattr(actor, "pk", None) else None
            current.save()
            record_change("assignment.changed" if before else "assignment.made", current, before, actor=actor)
            result = current
        rows.refresh(patient.clinic_id, [patient.pk])
    return result


def attempts_for(patient: Patient, limit: int = 20) -> list[OutreachAttempt]:
    return list(OutreachAttempt.objects.filter(patient=patient).select_related("coordinator")[:limit])

"""Use cases for the chart: scoped look-ups and audited, version-checked writes."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import can_view_chart, is_staff_member
from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.core.errors import Conflict
from toxinclinic.patients.models import Patient

M = TypeVar("M", bound=models.Model)


def patients_for(user: Any) -> QuerySet[Patient]:
    """Every patient the user may see: their clinic's for staff, only themself for a patient."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Patient.objects.none()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(user=user)
    if is_staff_member(user):
        return Patient.objects.filter(clinic_id=user.clinic_id)
    return Patient.objects.none()


def search_patients(user: Any, query: str = "") -> QuerySet[Patient]:
    qs = patients_for(user)
    for term in query.lower().split()[:4]:
        qs = qs.filter(Q(search_text__contains=term))
    return qs


def parse_public_id(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404("No such record.") from exc


def get_patient(user: Any, public_id: str | uuid.UUID) -> Patient:
    """The patient if the user may see them; 404 otherwise, never a hint that the id exists."""
    pid = parse_public_id(public_id)
    patient = Patient.objects.filter(public_id=pid).select_related("clinic").first()
    if patient is None or not can_view_chart(user, patient):
        raise Http404("No such patient.")
    return patient


def create_record(instance: M, *, actor: Any, action: str) -> M:
    with transaction.atomic():
        instance.save()
        record_change(action, instance, None, actor=actor)
    return instance


def update_record(instance: M, expected_version: int | None, *, actor: Any, action: str, apply: Any) -> M:
    """Apply ``apply(instance)`` and save, if nobody saved since ``expected_version``.

    The row is re-read under a lock inside the transaction, so two concurrent saves
    from the same starting version cannot both win.
    """
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        if expected_version is not None and locked.version != expected_version:  # type: ignore[attr-defined]
            raise Conflict(locked.version)  # type: ignore[attr-defined]
        before = snapshot(locked)
        apply(locked)
        locked.version = locked.version + 1  # type: ignore[attr-defined]
        locked.save()
        record_change(action, locked, before, actor=actor)
    return locked


def delete_record(instance: M, expected_version: int | None, *, actor: Any, action: str) -> None:
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        if expected_version is not None and locked.version != expected_version:  # type: ignore[attr-defined]
            raise Conflict(locked.version)  # type: ignore[attr-defined]
        before = snapshot(locked)
        record_change(action, locked, before, actor=actor, deleted=True)
        locked.delete()

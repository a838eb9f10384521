"""Write audit events: ``log_action`` for business events, ``record_change`` for data diffs,
``record_read`` for staff reads of a chart."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from toxinclinic.audit.context import current
from toxinclinic.audit.models import AuditEvent

# Never copied into the trail: secrets are not history.
_SECRET_FIELDS = {"password", "digest", "key", "bin_key"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe dict of the instance's concrete fields, secrets left out."""
    data = model_to_dict(instance, fields=[f.name for f in instance._meta.concrete_fields])
    return {k: _jsonable(v) for k, v in data.items() if k not in _SECRET_FIELDS}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None:
        actor = current.get().user
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system", "actor_role": ""}
    return {
        "actor": actor,
        "actor_label": actor.get_full_name() or actor.username,
        "actor_role": getattr(actor, "role", ""),
    }


def _event_values(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None,
    clinic_id: int | None,
    patient_id: int | None,
    changes: dict[str, list[Any]] | None,
    data: dict[str, Any] | None,
) -> dict[str, Any]:
    ctx = current.get()
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(getattr(obj, "public_id", None) or obj.pk)
        if clinic_id is None:
            clinic_id = getattr(obj, "clinic_id", None)
        if patient_id is None:
            patient_id = getattr(obj, "patient_id", None)
            if patient_id is None and obj._meta.label_lower == "patients.patient":
                patient_id = obj.pk
    return {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "clinic_id": clinic_id,
        "patient_id": patient_id,
        "changes": changes or {},
        "data": _jsonable(data or {}),
        "ip": ctx.ip,
        "request_id": ctx.request_id,
        **_actor_fields(actor),
    }


def log_action(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    clinic_id: int | None = None,
    patient_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        **_event_values(
            action,
            actor=actor,
            obj=obj,
            clinic_id=clinic_id,
            patient_id=patient_id,
            changes=changes,
            data=data,
        )
    )


def record_change(
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    *,
    actor: Any = None,
    deleted: bool = False,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Audit a create (before=None), change or delete (deleted=True) with before/after values."""
    after = None if deleted else snapshot(obj)
    return log_action(action, actor=actor, obj=obj, changes=diff(before, after), data=data)


def record_read(patient: Any, *, actor: Any, what: str = "chart") -> AuditEvent | None:
    """Staff reads of a chart are audited; a patient reading their own chart is not an access event."""
    if actor is None or getattr(actor, "role", None) == "patient":
        return None
    return log_action(
        "chart.viewed",
        actor=actor,
        obj=patient,
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        data={"what": what},
    )

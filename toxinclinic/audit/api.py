from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from toxinclinic.accounts.permissions import can_view_audit
from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import Schema

API_PREFIX = "/audit"
router = Router(tags=["audit"])


class AuditOut(Schema):
    at: dt.datetime
    actor_label: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    data: dict[str, Any]


@router.get("/events", response=list[AuditOut], summary="Search the clinic's audit trail (admins)")
@paginate(Pages)
def audit_events(request: HttpRequest, action: str = "", object_id: str = "") -> Any:
    if not can_view_audit(request.user):
        raise PermissionDenied
    qs = AuditEvent.objects.filter(clinic_id=request.user.clinic_id)
    if action:
        qs = qs.filter(action__startswith=action[:80])
    if object_id:
        qs = qs.filter(object_id=object_id[:64])
    return qs

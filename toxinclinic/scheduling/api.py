"""Recall list of the JSON API (who is due for re-treatment, by due date)."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import Schema
from toxinclinic.scheduling.permissions import can_view_recall_list
from toxinclinic.scheduling.services import DUE_SOON_DAYS, recall_list

API_PREFIX = "/recalls"
router = Router(tags=["scheduling"])


class RecallOut(Schema):
    patient: uuid.UUID
    patient_name: str
    mrn: str
    indication: str
    product: str
    last_session_on: dt.date
    opens_on: dt.date
    due_on: dt.date
    last_visit: uuid.UUID

    @staticmethod
    def resolve_patient(obj: Any) -> uuid.UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_patient_name(obj: Any) -> str:
        return obj.patient.full_name

    @staticmethod
    def resolve_mrn(obj: Any) -> str:
        return obj.patient.mrn

    @staticmethod
    def resolve_last_visit(obj: Any) -> uuid.UUID:
        return obj.last_visit_id


@router.get("", response=list[RecallOut], summary="Recall list: overdue, due within N days, or all")
@paginate(Pages)
def list_recalls(request: HttpRequest, which: str = "due", days: int = DUE_SOON_DAYS) -> Any:
    if not can_view_recall_list(request.user):
        raise PermissionDenied
    which = which if which in ("due", "overdue", "all") else "due"
    return recall_list(request.user, timezone.localdate(), which=which, days=max(0, min(days, 365)))

"""The worklist in the JSON API: one page of 50 in urgency order, the same words as the screen."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from toxinclinic.coordinator import worklist
from toxinclinic.coordinator.permissions import can_view_worklist
from toxinclinic.core.schemas import Schema

API_PREFIX = "/worklist"
router = Router(tags=["coordinator"])


class WorklistItem(Schema):
    patient: uuid.UUID
    patient_name: str
    mrn: str
    state: str
    reasons: list[str]
    days_overdue: int
    window_opens_on: dt.date | None
    last_session_on: dt.date | None
    last_product: str
    last_units: float | None
    next_appointment_at: dt.datetime | None
    diary_recorded_30: int | None
    headache_days_30: int | None
    baseline_headache_days: float | None
    diary_gap: bool
    verdict: str
    authorization: str
    auth_units: int | None
    auth_visits_left: int | None
    auth_expires_on: dt.date | None
    auth_expiring: bool
    urgent_side_effect: bool
    outreach: str
    next_contact_on: dt.date | None
    assigned_to: str


class WorklistPage(Schema):
    items: list[WorklistItem]
    page: int
    has_next: bool


def _item(ln: worklist.Line) -> dict[str, Any]:
    r, a = ln.row, ln.assessment
    return {
        "patient": ln.patient.public_id,
        "patient_name": ln.patient.full_name,
        "mrn": ln.patient.mrn,
        "state": a.label,
        "reasons": a.reasons,
        "days_overdue": a.days_overdue,
        "window_opens_on": r.window_opens_on,
        "last_session_on": r.last_session_on,
        "last_product": ln.product,
        "last_units": r.last_units,
        "next_appointment_at": r.next_appointment_at,
        "diary_recorded_30": r.diary_recorded_30,
        "headache_days_30": r.headache_days_30,
        "baseline_headache_days": r.baseline_headache_days,
        "diary_gap": r.diary_gap,
        "verdict": ln.verdict_label,
        "authorization": ln.auth_label,
        "auth_units": r.auth_units,
        "auth_visits_left": r.auth_visits_left,
        "auth_expires_on": r.auth_expires_on,
        "auth_expiring": a.auth_expiring,
        "urgent_side_effect": r.urgent_side_effect,
        "outreach": ln.outreach_label,
        "next_contact_on": r.next_contact_on,
        "assigned_to": (r.assigned_to.get_full_name() or r.assigned_to.username) if r.assigned_to else "",
    }


@router.get("", response=WorklistPage, summary="The coordinator's worklist, most urgent first (50 a page)")
def get_worklist(request: HttpRequest, f: list[str] = Query([]), page: int = 1) -> Any:  # noqa: B008
    """``f``: any of due_week, overdue, no_appointment, auth, diary_gap, mine (combined with AND)."""
    if not can_view_worklist(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    rows, has_next = worklist.page_rows(request.user, worklist.parse_filters(f), today, max(1, page))
    return {
        "items": [_item(ln) for ln in worklist.lines(rows, today)],
        "page": max(1, page),
        "has_next": has_next,
    }

"""Home-screen card for staff who work the triage queue: urgent items still open.

The patient's cards that join safety with other workflows (the to-do list, treatment status) are composed
by the top room, ``home/panels.py``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from toxinclinic.core.plugins import Panel
from toxinclinic.safety.models import TriageItem, TriageStatus
from toxinclinic.safety.permissions import can_work_triage_queue


def panels(request: Any) -> list[Panel]:
    user = request.user
    if getattr(user, "role", None) == "patient":
        return []
    if can_work_triage_queue(user):
        items = list(
            TriageItem.objects.filter(clinic_id=user.clinic_id, level="urgent")
            .exclude(status=TriageStatus.CLOSED)
            .select_related("patient", "report")
            .order_by("reported_at")[:10]
        )
        return [Panel("safety/panel_urgent.html", {"items": items, "now": timezone.now()}, order=10)]
    return []

"""Home-screen cards: today's visits (clinical staff), expiring stock and recalls due (all staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.accounts.permissions import is_staff_member
from toxinclinic.core.plugins import Panel
from toxinclinic.visits.models import VisitStatus
from toxinclinic.visits.services import visits_for


def panels(request: Any) -> list[Panel]:
    user = request.user
    if not is_staff_member(user):
        return []
    from toxinclinic.inventory.services import expiring_rows
    from toxinclinic.scheduling.services import recall_list

    today = timezone.localdate()
    visits = list(visits_for(user).filter(visit_date=today).select_related("patient").order_by("status")[:8])
    drafts = sum(1 for v in visits if v.status == VisitStatus.DRAFT)
    expiring = expiring_rows(user, today)
    due = recall_list(user, today, which="due", days=14)
    return [
        Panel(
            "visits/panel_today.html",
            {
                "visits": visits,
                "drafts": drafts,
                "expiring": expiring[:4],
                "expiring_count": len(expiring),
                "overdue": recall_list(user, today, which="overdue").count(),
                "due_count": due.count(),
                "due": list(due[:5]),
                "soon": today + dt.timedelta(days=14),
            },
            order=10,
        )
    ]

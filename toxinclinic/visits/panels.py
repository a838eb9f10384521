"""Home-screen cards: today's visits (clinical staff) and expiring stock (all staff); the recall card is
scheduling's."""

from __future__ import annotations

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
    from toxinclinic.inventory.services import EXPIRY_ALERT_DAYS, expiring_rows

    today = timezone.localdate()
    visits = list(visits_for(user).filter(visit_date=today).select_related("patient").order_by("status")[:8])
    drafts = sum(1 for v in visits if v.status == VisitStatus.DRAFT)
    expiring = expiring_rows(user, today)
    return [
        Panel(
            "visits/panel_today.html",
            {
                "visits": visits,
                "drafts": drafts,
                "expiring": expiring[:4],
                "expiring_count": len(expiring),
                "alert_days": EXPIRY_ALERT_DAYS,
            },
            order=10,
        )
    ]

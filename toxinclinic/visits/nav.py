from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.visits.permissions import can_list_visits, can_view_billing


def nav_items(request: Any) -> list[NavItem]:
    items = []
    if can_list_visits(request.user):
        items.append(NavItem("Visits", reverse("visits:today"), order=10))
    if can_view_billing(request.user) and request.user.role in ("coordinator", "admin"):
        items.append(NavItem("Billing", reverse("visits:billing"), order=40))
    return items

from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.safety.permissions import can_work_triage_queue
from toxinclinic.safety.services import open_urgent_count


def nav_items(request: Any) -> list[NavItem]:
    user = request.user
    if getattr(user, "role", None) == "patient":
        return [NavItem("My treatment", reverse("safety:aftercare"), order=30)]
    if can_work_triage_queue(user):
        n = open_urgent_count(user.clinic_id)
        label = f"Triage ({n} urgent)" if n else "Triage"
        return [NavItem(label, reverse("safety:triage"), order=5)]
    return []

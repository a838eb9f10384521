from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.messaging.permissions import can_view_outbox


def nav_items(request: Any) -> list[NavItem]:
    if getattr(request.user, "role", None) == "patient":
        return [NavItem("How we contact you", reverse("messaging:contact_preferences"), order=90)]
    if can_view_outbox(request.user):
        return [NavItem("Outbox", reverse("messaging:outbox"), order=60)]
    return []

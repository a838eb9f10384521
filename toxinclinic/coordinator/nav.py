from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.coordinator.permissions import can_view_worklist
from toxinclinic.core.plugins import NavItem


def nav_items(request: Any) -> list[NavItem]:
    if can_view_worklist(request.user):
        return [NavItem("Worklist", reverse("coordinator:worklist"), order=25)]
    return []

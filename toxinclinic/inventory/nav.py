from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.inventory.permissions import can_view_stock


def nav_items(request: Any) -> list[NavItem]:
    if can_view_stock(request.user):
        return [NavItem("Inventory", reverse("inventory:stock"), order=20)]
    return []

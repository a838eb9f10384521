from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.scheduling.permissions import can_view_recall_list


def nav_items(request: Any) -> list[NavItem]:
    if can_view_recall_list(request.user):
        return [NavItem("Recall", reverse("scheduling:recalls"), order=30)]
    return []

from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.cycles.permissions import can_view_clinic_outcomes


def nav_items(request: Any) -> list[NavItem]:
    if can_view_clinic_outcomes(request.user):
        return [NavItem("Outcomes", reverse("cycles:report"), order=45)]
    if getattr(request.user, "role", None) == "patient":
        return [NavItem("My progress", reverse("cycles:mine"), order=25)]
    return []

from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem


def nav_items(request: Any) -> list[NavItem]:
    if getattr(request.user, "role", None) == "patient":
        return [NavItem("Questionnaires", reverse("outcomes:list"), order=20)]
    return []

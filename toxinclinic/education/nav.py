from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from toxinclinic.core.plugins import NavItem
from toxinclinic.education.permissions import can_edit_education


def nav_items(request: HttpRequest) -> list[NavItem]:
    if not can_edit_education(request.user):
        return []
    return [NavItem("Treatment pages", reverse("education:manage"), order=60)]

from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.accounts.models import Role
from toxinclinic.core.plugins import NavItem
from toxinclinic.scheduling.permissions import can_book, can_edit_availability, can_view_recall_list


def nav_items(request: Any) -> list[NavItem]:
    user = request.user
    out = []
    if can_view_recall_list(user):
        out.append(NavItem("Recall", reverse("scheduling:recalls"), order=30))
    if can_book(user):
        out.append(NavItem("Schedule", reverse("scheduling:schedule"), order=31))
        out.append(NavItem("Calendar feeds", reverse("scheduling:feeds"), order=92))
    if can_edit_availability(user):
        label = "Availability" if user.role == Role.ADMIN else "My availability"
        out.append(NavItem(label, reverse("scheduling:availability"), order=93))
    return out

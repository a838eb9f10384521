"""Scheduling permissions: the recall list is for every staff member of the clinic."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.permissions import is_staff_member


def can_view_recall_list(user: Any) -> bool:
    return is_staff_member(user)

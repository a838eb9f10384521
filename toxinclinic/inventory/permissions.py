"""Inventory permissions. Every staff member may see the stock and search a lot's recipients (a recall is
everybody's business); nurses, clinicians and the clinic admin receive and reconcile vials."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES, Role
from toxinclinic.accounts.permissions import is_staff_member


def can_view_stock(user: Any) -> bool:
    return is_staff_member(user)


def can_receive_vials(user: Any) -> bool:
    return is_staff_member(user) and user.role in (CLINICAL_ROLES | {Role.ADMIN})


def can_reconcile_stock(user: Any) -> bool:
    return is_staff_member(user) and user.role in (CLINICAL_ROLES | {Role.ADMIN})


def can_search_lot_recipients(user: Any) -> bool:
    return is_staff_member(user)

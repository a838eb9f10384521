"""Who may see and work the outbox."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.permissions import is_staff_member, same_clinic


def can_view_outbox(user: Any) -> bool:
    """Every staff member of the clinic: they all send or receive its messages."""
    return is_staff_member(user)


def can_retry_message(user: Any, message: Any) -> bool:
    return can_view_outbox(user) and same_clinic(user, message.clinic_id)

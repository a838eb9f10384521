"""Who may do what with treatment pages. Reading a published page needs no login at all."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import is_staff_member, same_clinic


def can_edit_education(user: Any) -> bool:
    """Clinic admins write and publish their clinic's treatment pages and providers."""
    return is_staff_member(user) and user.role == Role.ADMIN


def can_edit_education_object(user: Any, obj: Any) -> bool:
    """A page, provider or version of the admin's own clinic (another clinic's is a 404, not a 403)."""
    return can_edit_education(user) and same_clinic(user, obj.clinic_id)

"""Who may use the worklist: every staff member of the clinic reads it; coordinators and admins (and the
clinical staff who book) record outreach and assign."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import is_staff_member, same_clinic


def can_view_worklist(user: Any) -> bool:
    return is_staff_member(user)


def can_record_outreach(user: Any, patient: Any) -> bool:
    return is_staff_member(user) and same_clinic(user, patient.clinic_id)


def can_assign(user: Any, patient: Any) -> bool:
    return (
        is_staff_member(user)
        and user.role in (Role.COORDINATOR, Role.ADMIN)
        and same_clinic(user, patient.clinic_id)
    )


def can_take_patient(user: Any, patient: Any) -> bool:
    """Only a coordinator may take a patient ("assign to me"): an admin assigns others, never themself."""
    return is_staff_member(user) and user.role == Role.COORDINATOR and same_clinic(user, patient.clinic_id)

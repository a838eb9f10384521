"""Scheduling permissions: every staff member sees the recall list and the schedule and books; clinic
admins set clinicians' availability; a clinician manages their own calendar feed, an admin anyone's."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import is_staff_member


def can_view_recall_list(user: Any) -> bool:
    return is_staff_member(user)


def can_book(user: Any) -> bool:
    return is_staff_member(user)


def can_edit_availability(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.ADMIN


def can_manage_feed(user: Any, clinician: Any = None) -> bool:
    if not is_staff_member(user):
        return False
    if clinician is None:  # a patient's feed: any staff member of the patient's clinic
        return True
    return clinician.clinic_id == user.clinic_id and (user.role == Role.ADMIN or clinician.pk == user.pk)

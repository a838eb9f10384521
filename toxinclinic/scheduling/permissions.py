"""Scheduling permissions: every staff member sees the recall list and the schedule and books; a clinician
or nurse keeps their own weekly hours and days away, a clinic admin anyone's in the clinic (coordinators
book, they do not set hours); a clinician manages their own calendar feed, an admin anyone's."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import is_staff_member


def can_view_recall_list(user: Any) -> bool:
    return is_staff_member(user)


def can_book(user: Any) -> bool:
    return is_staff_member(user)


def can_edit_availability(user: Any, clinician: Any = None) -> bool:
    """Without ``clinician``: may open the availability screen at all (admins, and those who see
    patients, for their own). With it: may change that clinician's hours and days away."""
    if not is_staff_member(user):
        return False
    if clinician is None:
        return user.role in (Role.ADMIN, Role.CLINICIAN, Role.NURSE)
    if clinician.clinic_id != user.clinic_id:
        return False
    return user.role == Role.ADMIN or (clinician.pk == user.pk and user.role in (Role.CLINICIAN, Role.NURSE))


def can_manage_feed(user: Any, clinician: Any = None) -> bool:
    if not is_staff_member(user):
        return False
    if clinician is None:  # a patient's feed: any staff member of the patient's clinic
        return True
    return clinician.clinic_id == user.clinic_id and (user.role == Role.ADMIN or clinician.pk == user.pk)

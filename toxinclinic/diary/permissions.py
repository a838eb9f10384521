"""Who may do what with the headache diary (one ``can_…`` per use case)."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES, Role
from toxinclinic.accounts.permissions import is_staff_member, is_the_patient, same_clinic


def can_keep_diary(user: Any, patient: Any) -> bool:
    """The diary is patient-reported: only the patient writes their days."""
    return is_the_patient(user, patient)


def can_view_diary(user: Any, patient: Any) -> bool:
    """The patient, or the clinical staff and coordinators of their clinic (packets need the numbers)."""
    if is_the_patient(user, patient):
        return True
    return (
        is_staff_member(user)
        and user.role in (CLINICAL_ROLES | {Role.COORDINATOR})
        and same_clinic(user, patient.clinic_id)
    )


def can_view_medication_overuse(user: Any, patient: Any) -> bool:
    """The medication-overuse flag is for the clinician's judgement, never shown to the patient."""
    return is_staff_member(user) and user.role in CLINICAL_ROLES and same_clinic(user, patient.clinic_id)


def can_list_diary_flags(user: Any) -> bool:
    """Clinic-wide list of patients flagged for medication overuse (staff home panel)."""
    return is_staff_member(user) and user.role in CLINICAL_ROLES

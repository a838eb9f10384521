"""Who may see treatment cycles and the clinic's outcomes (one ``can_…`` per use case)."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES, Role
from toxinclinic.accounts.permissions import is_staff_member, is_the_patient, same_clinic


def can_view_cycles(user: Any, patient: Any) -> bool:
    """The patient (their plain-words page), or clinicians and nurses of the patient's clinic."""
    return is_the_patient(user, patient) or (
        is_staff_member(user) and user.role in CLINICAL_ROLES and same_clinic(user, patient.clinic_id)
    )


def can_view_clinic_outcomes(user: Any) -> bool:
    """Clinicians and clinic admins read the clinic's aggregate outcomes (never a patient's row)."""
    return is_staff_member(user) and user.role in (Role.CLINICIAN, Role.ADMIN)

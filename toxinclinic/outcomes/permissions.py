"""Who may answer and read questionnaires (one ``can_…`` per use case)."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES, Role
from toxinclinic.accounts.permissions import is_staff_member, is_the_patient, same_clinic


def can_answer_questionnaire(user: Any, patient: Any) -> bool:
    """Patient-reported outcomes are answered by the patient."""
    return is_the_patient(user, patient)


def can_view_questionnaires(user: Any, patient: Any) -> bool:
    """The patient, or clinical staff and coordinators of their clinic (continuation packets use them)."""
    return is_the_patient(user, patient) or (
        is_staff_member(user)
        and user.role in (CLINICAL_ROLES | {Role.COORDINATOR})
        and same_clinic(user, patient.clinic_id)
    )

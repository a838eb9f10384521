"""Who may answer and read questionnaires (one ``can_…`` per use case)."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES, Role
from toxinclinic.accounts.permissions import is_staff_member, same_clinic


def _is_self(user: Any, patient: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role == Role.PATIENT
        and patient.user_id == user.pk
    )


def can_answer_questionnaire(user: Any, patient: Any) -> bool:
    """Patient-reported outcomes are answered by the patient."""
    return _is_self(user, patient)


def can_view_questionnaires(user: Any, patient: Any) -> bool:
    """The patient, or clinical staff and coordinators of their clinic (continuation packets use them)."""
    return _is_self(user, patient) or (
        is_staff_member(user)
        and user.role in (CLINICAL_ROLES | {Role.COORDINATOR})
        and same_clinic(user, patient.clinic_id)
    )

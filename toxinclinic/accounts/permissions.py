"""Who may do what: one intention-revealing ``can_…`` function per use case.

Views and API operations call these and nothing else to decide access, so the
authorization matrix tests can enumerate every rule in one place. Object checks
also require the object to belong to the user's clinic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toxinclinic.accounts.models import CLINICAL_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from toxinclinic.accounts.models import Clinic, User


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_the_patient(user: Any, patient: Any) -> bool:
    """The signed-in, active patient login linked to ``patient`` (patient-reported data is theirs)."""
    return _active(user) and user.role == Role.PATIENT and patient.user_id == user.pk


def same_clinic(user: User, clinic: Clinic | int | None) -> bool:
    clinic_id = clinic if isinstance(clinic, int) or clinic is None else clinic.pk
    return user.clinic_id is not None and user.clinic_id == clinic_id


def is_staff_member(user: Any) -> bool:
    return _active(user) and user.role in STAFF_ROLES and user.clinic_id is not None


def can_list_patients(user: Any) -> bool:
    return is_staff_member(user)


def can_view_chart(user: Any, patient: Any) -> bool:
    """Staff of the patient's clinic, or the patient themself."""
    if not _active(user):
        return False
    if user.role == Role.PATIENT:
        return patient.user_id == user.pk
    return is_staff_member(user) and same_clinic(user, patient.clinic_id)


def can_edit_chart(user: Any, patient: Any) -> bool:
    """Clinical staff and the front desk keep the chart; admins manage users, not charts."""
    return (
        is_staff_member(user)
        and user.role in (CLINICAL_ROLES | {Role.COORDINATOR})
        and same_clinic(user, patient.clinic_id)
    )


def can_edit_clinical_history(user: Any, patient: Any) -> bool:
    """Allergies, medications, history and preventive trials: clinical staff only."""
    return is_staff_member(user) and user.role in CLINICAL_ROLES and same_clinic(user, patient.clinic_id)


def can_register_patient(user: Any) -> bool:
    return is_staff_member(user) and user.role in (CLINICAL_ROLES | {Role.COORDINATOR})


def can_invite_patient(user: Any, patient: Any) -> bool:
    return can_edit_chart(user, patient)


def can_view_audit(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.ADMIN


def can_manage_users(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.ADMIN


def can_use_admin_site(user: Any) -> bool:
    return _active(user) and (user.is_superuser or (is_staff_member(user) and user.role == Role.ADMIN))


def can_override_dose_stop(user: Any) -> bool:
    """Only a prescriber may override a dose-safety hard stop (always with a reason, audited)."""
    return is_staff_member(user) and user.role == Role.CLINICIAN and bool(user.is_prescriber)


def can_sign_visit(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.CLINICIAN


def can_view_own_access_log(user: Any, patient: Any) -> bool:
    return is_the_patient(user, patient)

"""Who may do what with side effects, check-ins and the triage queue (one ``can_…`` per use case)."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES
from toxinclinic.accounts.permissions import is_staff_member, is_the_patient, same_clinic


def can_report_side_effect(user: Any, patient: Any) -> bool:
    """Patients report their own symptoms (staff record what a caller says on the triage item)."""
    return is_the_patient(user, patient)


def can_answer_check_in(user: Any, patient: Any) -> bool:
    return is_the_patient(user, patient)


def can_view_treatment(user: Any, patient: Any) -> bool:
    """Sessions, next window and aftercare: the patient, or staff of their clinic."""
    return is_the_patient(user, patient) or (is_staff_member(user) and same_clinic(user, patient.clinic_id))


def can_view_side_effects(user: Any, patient: Any) -> bool:
    """A patient's own reports, or the clinical staff (nurses, clinicians) of their clinic."""
    return is_the_patient(user, patient) or (
        is_staff_member(user) and user.role in CLINICAL_ROLES and same_clinic(user, patient.clinic_id)
    )


def can_view_adverse_events(user: Any, patient: Any) -> bool:
    """The clinic's adverse-event records: its clinical staff (the patient sees their own reports)."""
    return is_staff_member(user) and user.role in CLINICAL_ROLES and same_clinic(user, patient.clinic_id)


def can_work_triage_queue(user: Any) -> bool:
    """Nurses and clinicians see and work their clinic's triage queue."""
    return is_staff_member(user) and user.role in CLINICAL_ROLES


def can_handle_triage_item(user: Any, item: Any) -> bool:
    return can_work_triage_queue(user) and same_clinic(user, item.clinic_id)


def can_record_adverse_event(user: Any, patient: Any) -> bool:
    return can_work_triage_queue(user) and same_clinic(user, patient.clinic_id)

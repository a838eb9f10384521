"""Who may see and build packets and authorizations: staff of the patient's clinic."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.permissions import is_staff_member, same_clinic


def can_manage_coverage(user: Any, patient: Any) -> bool:
    return is_staff_member(user) and same_clinic(user, patient.clinic_id)

"""Who may do what with visits: one ``can_…`` per use case (see the authorization matrix tests).

Nurses and clinicians prepare a visit (screening, consent, charting, vials); only a clinician signs
(``can_sign_visit``) and only a prescriber overrides a dose hard stop (``can_override_dose_stop``), both
from ``toxinclinic.accounts.permissions``. Coordinators and admins read visits and billing lines. Every
object check also requires the visit's clinic to be the user's; patients use the portal, not this app.
"""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import CLINICAL_ROLES, Role
from toxinclinic.accounts.permissions import (
    can_override_dose_stop,
    can_sign_visit,
    is_staff_member,
    same_clinic,
)

__all__ = [
    "can_amend_visit",
    "can_list_visits",
    "can_override_dose_stop",
    "can_prepare_visit",
    "can_record_outside_injection",
    "can_sign_visit",
    "can_start_visit",
    "can_view_billing",
    "can_view_visit",
]


def can_list_visits(user: Any) -> bool:
    return is_staff_member(user)


def can_view_visit(user: Any, visit: Any) -> bool:
    return is_staff_member(user) and same_clinic(user, visit.clinic_id)


def can_start_visit(user: Any) -> bool:
    return is_staff_member(user) and user.role in CLINICAL_ROLES


def can_prepare_visit(user: Any, visit: Any) -> bool:
    """Screen, record consent, chart sites and vials on a draft: nurses and clinicians of the clinic."""
    return can_start_visit(user) and same_clinic(user, visit.clinic_id)


def can_sign_this_visit(user: Any, visit: Any) -> bool:
    return can_sign_visit(user) and same_clinic(user, visit.clinic_id)


def can_amend_visit(user: Any, visit: Any) -> bool:
    """A correction to a signed note is made by a clinician, as a new version with a reason."""
    return can_sign_visit(user) and same_clinic(user, visit.clinic_id)


def can_view_billing(user: Any) -> bool:
    return is_staff_member(user) and user.role in (CLINICAL_ROLES | {Role.COORDINATOR, Role.ADMIN})


def can_record_outside_injection(user: Any, patient: Any) -> bool:
    return is_staff_member(user) and user.role in CLINICAL_ROLES and same_clinic(user, patient.clinic_id)

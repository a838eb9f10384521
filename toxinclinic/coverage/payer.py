"""The payer rule scheduling asks before booking an injection early (plug-in, see ``core.plugins``)."""

from __future__ import annotations

from toxinclinic.coverage.services import current_authorization, payer_policy
from toxinclinic.patients.models import Patient


def forbids_early(patient: Patient) -> bool | None:
    """Does the patient's payer refuse an injection inside the minimum interval? ``None`` when no
    authorization is on record (the clinic's own setting decides then)."""
    if current_authorization(patient) is None:
        return None
    return payer_policy(patient).forbids_early

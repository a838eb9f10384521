"""Patient, Practitioner (clinic staff), Organization (the clinic) and Location."""

from __future__ import annotations

from typing import Any

from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import instant, meta, prune, ref
from toxinclinic.fhir.serializers.shape import Shape
from toxinclinic.patients.models import Patient

_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


#: What :func:`patient_values` reads, in its parameter order.
PATIENT_COLUMNS = (
    "public_id",
    "updated_at",
    "clinic__public_id",
    "clinic__name",
    "mrn",
    "last_name",
    "first_name",
    "phone",
    "email",
    "sex",
    "date_of_birth",
)


def patient_values(
    public_id: str,
    updated: str | None,
    clinic_id: str,
    clinic_name: str,
    mrn: str,
    family: str,
    given: str,
    phone: str,
    email: str,
    sex: str,
    birth: str | None,
) -> dict[str, Any]:
    """A Patient from JSON-ready values (``shape.Shape``: ids and dates already text)."""
    telecom = []
    if phone:
        telecom.append({"system": "phone", "value": phone})
    if email:
        telecom.append({"system": "email", "value": email})
    return prune(
        {
            "resourceType": "Patient",
            "id": public_id,
            "meta": {"lastUpdated": updated} if updated else None,
            "identifier": [
                {"system": f"{codes.MRN_SYSTEM}{clinic_id}", "value": mrn, "type": {"text": "MRN"}}
            ],
            "active": True,
            "name": [{"family": family, "given": [given]}],
            "telecom": telecom,
            "gender": _GENDER.get(sex, "unknown"),
            "birthDate": birth,
            "managingOrganization": ref("Organization", clinic_id, clinic_name),
        }
    )


PATIENT = Shape(Patient, PATIENT_COLUMNS, patient_values)


def patient(p: Any) -> dict[str, Any]:
    """``p`` needs ``clinic`` joined (the MRN identifier's system names the clinic)."""
    return PATIENT.of(p)[0]


def practitioner(u: Any) -> dict[str, Any]:
    name = prune({"family": u.last_name, "given": [u.first_name] if u.first_name else None})
    return prune(
        {
            "resourceType": "Practitioner",
            "id": str(u.public_id),
            "meta": meta(u.last_login or u.date_joined),
            "active": bool(u.is_active),
            "name": [name or {"text": u.username}],
            "qualification": [{"code": {"text": u.credentials}}] if u.credentials else None,
        }
    )


def organization(c: Any) -> dict[str, Any]:
    return prune(
        {
            "resourceType": "Organization",
            "id": str(c.public_id),
            "meta": meta(c.created_at),
            "active": True,
            "name": c.name,
            "telecom": [{"system": "phone", "value": c.phone}] if c.phone else None,
            "address": [{"text": c.address, "country": c.country}] if c.address else None,
        }
    )


def location(loc: Any) -> dict[str, Any]:
    """``loc`` needs ``clinic`` joined."""
    return prune(
        {
            "resourceType": "Location",
            "id": str(loc.public_id),
            "status": "active",
            "name": loc.name,
            "address": {"text": loc.address} if loc.address else None,
            "managingOrganization": ref("Organization", loc.clinic.public_id, loc.clinic.name),
        }
    )


__all__ = ["PATIENT", "instant", "location", "organization", "patient", "practitioner"]

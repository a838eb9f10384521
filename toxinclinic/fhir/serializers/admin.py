"""Patient, Practitioner (clinic staff), Organization (the clinic) and Location."""

from __future__ import annotations

from typing import Any

from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import day, instant, meta, prune, ref

_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def patient(p: Any) -> dict[str, Any]:
    """``p`` needs ``clinic`` joined (the MRN identifier's system names the clinic)."""
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    return prune(
        {
            "resourceType": "Patient",
            "id": str(p.public_id),
            "meta": meta(p.updated_at),
            "identifier": [
                {"system": f"{codes.MRN_SYSTEM}{p.clinic.public_id}", "value": p.mrn, "type": {"text": "MRN"}}
            ],
            "active": True,
            "name": [{"family": p.last_name, "given": [p.first_name]}],
            "telecom": telecom,
            "gender": _GENDER.get(p.sex, "unknown"),
            "birthDate": day(p.date_of_birth),
            "managingOrganization": ref("Organization", p.clinic.public_id, p.clinic.name),
        }
    )


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


__all__ = ["instant", "location", "organization", "patient", "practitioner"]

"""The frozen note: everything the signed note's screen and PDF show, as plain JSON, built once when
the note is signed (an amendment copies it and changes the clinical note text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from toxinclinic.clinical import aftercare, billing, products, protocols, recall
from toxinclinic.patients.models import PatientIndication
from toxinclinic.visits.checks import protocol_for_check
from toxinclinic.visits.models import DoseOverride, VialUse, Visit
from toxinclinic.visits.schemas import finding_dict, site_dict, totals_table

if TYPE_CHECKING:
    from toxinclinic.visits.signing import Review


def person_name(user: Any) -> str:
    return user.display_name if user is not None else ""


def note_content(
    visit: Visit,
    r: Review,
    lines: Sequence[billing.BillingLine],
    uses: Sequence[VialUse],
    window: recall.RecallWindow | None,
    acknowledged: Sequence[str] = (),
    overrides: Sequence[DoseOverride] | None = None,
) -> dict[str, Any]:
    """The frozen note: everything the PDF and the note screen show, as plain JSON."""
    check = r.check
    assert check is not None
    prod = visit.product_info
    patient = visit.patient
    consent = r.consent
    icd = (
        PatientIndication.objects.filter(patient=patient, indication=visit.indication)
        .values_list("icd10", flat=True)
        .first()
    ) or billing.diagnosis_code(visit.indication)
    effective = protocol_for_check(visit, r.sites)
    tmpl = protocols.get(effective) if effective else None
    vials = []
    for u in uses:
        v = u.vial
        vials.append(
            {
                "vial": str(v.public_id),
                "lot": v.lot.lot_number,
                "ndc": v.lot.ndc,
                "expiry": v.lot.expiry_date.isoformat(),
                "size_units": v.size_units,
                "diluent_ml": float(v.diluent_ml) if v.diluent_ml is not None else None,
                "units_per_0_1_ml": v.units_per_0_1_ml,
                "reconstituted_at": timezone.localtime(v.reconstituted_at).isoformat()
                if v.reconstituted_at
                else None,
                "beyond_use_at": timezone.localtime(v.beyond_use_at).isoformat() if v.beyond_use_at else None,
                "administered": float(u.units_administered),
                "discarded": float(u.units_discarded),
                "location": v.location.name if v.location_id else "",
            }
        )
    ov_rows = overrides if overrides is not None else list(visit.overrides.select_related("prescriber"))
    return {
        "visit": {
            "id": str(visit.public_id),
            "date": visit.visit_date.isoformat(),
            "indication": visit.indication,
            "indication_label": products.INDICATION_LABELS[visit.indication],
            "diagnosis": icd,
            "product": visit.product,
            "product_brand": prod.brand,
            "product_generic": prod.generic,
            "protocol": visit.protocol,
            "protocol_name": tmpl.name if tmpl else ("Individual" if not visit.protocol else visit.protocol),
            "location": visit.location.name if visit.location_id else "",
            "guidance": visit.get_guidance_display() if visit.guidance else "",
            "notes": visit.notes,
        },
        "clinic": {"name": visit.clinic.name, "phone": visit.clinic.phone, "address": visit.clinic.address},
        "patient": {
            "id": str(patient.public_id),
            "name": patient.full_name,
            "mrn": patient.mrn,
            "date_of_birth": patient.date_of_birth.isoformat(),
        },
        "people": {
            "nurse": person_name(visit.nurse),
            "clinician": person_name(visit.clinician),
            "screened_by": person_name(visit.screened_by),
            "signed_by": person_name(visit.signed_by),
        },
        "screening": {
            "at": visit.screening.get("at", ""),
            "items": r.items,
            "sources": visit.screening.get("sources", {}),
            "not_applicable": visit.screening.get("not_applicable", {}),
        },
        "consent": {
            "benefits": consent.discussed_benefits,
            "common_effects": consent.discussed_common_effects,
            "serious_effects": consent.discussed_serious_effects,
            "alternatives": consent.discussed_alternatives,
            "by": consent.get_consented_by_display(),
            "name": consent.consenter_name,
            "at": timezone.localtime(consent.consented_at).isoformat(),
            "recorded_by": person_name(consent.recorded_by),
            "notes": consent.notes,
        }
        if consent
        else None,
        "sites": [site_dict(s) for s in r.sites],
        "totals": {
            "total": check.total_units,
            "by_side": check.units_by_side,
            "by_muscle": totals_table(check),
            "unit": f"{prod.brand} U",
        },
        "findings": [finding_dict(f) for f in check.findings],
        "acknowledged_warnings": list(acknowledged),
        "overrides": [
            {
                "rule": o.rule,
                "message": o.message,
                "reason": o.reason,
                "prescriber": person_name(o.prescriber),
            }
            for o in ov_rows
        ],
        "vials": vials,
        "waste_units": sum(v["discarded"] for v in vials),
        "billing": [
            {
                "code": line.code,
                "modifiers": list(line.modifiers),
                "units": line.units,
                "description": line.description,
                "reason": line.reason,
                "display": line.display,
            }
            for line in lines
        ],
        "aftercare": [{"text": a.text, "urgent": a.urgent} for a in aftercare.AFTERCARE],
        "recall": {"opens": window.opens.isoformat(), "due": window.due.isoformat()} if window else None,
    }

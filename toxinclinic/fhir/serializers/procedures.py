"""Procedure (the signed chemodenervation, CPT), MedicationAdministration (one per injection: product,
lot, expiry, units, muscle and side as the site) and AdverseEvent.

Units are the product's own units (U) and are never converted; the Quantity has no UCUM system because
UCUM's ``U`` is the enzyme unit, not a botulinum toxin unit.
"""

from __future__ import annotations

from typing import Any

from toxinclinic.clinical import anatomy, products
from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import coding, concept, day, instant, local, meta, number, prune, ref


def _product_text(key: str) -> str:
    try:
        p = products.get(key)
    except Exception:  # an unknown product key from old data: show the key's words, never crash
        return key
    return f"{p.brand} ({p.generic})"


def procedure(v: Any) -> dict[str, Any]:
    """A signed visit. ``v`` needs ``patient``, ``location``, ``signed_by`` joined, ``sites`` prefetched."""
    cpt = codes.CPT_BY_INDICATION.get(v.indication)
    muscles: dict[str, None] = {}
    for s in v.sites.all():
        side = "" if s.side == "midline" else f" {s.side}"
        muscles[f"{anatomy.MUSCLE_LABELS.get(s.muscle, s.muscle)}{side}"] = None
    return prune(
        {
            "resourceType": "Procedure",
            "id": str(v.public_id),
            "meta": meta(v.updated_at),
            "status": "completed",
            "code": concept(
                *([coding(codes.CPT, *cpt)] if cpt else []),
                text=f"Botulinum toxin chemodenervation ({v.get_indication_display()})",
            ),
            "subject": ref("Patient", v.patient.public_id),
            "performedDateTime": day(v.visit_date),
            "performer": [{"actor": ref("Practitioner", v.signed_by.public_id, v.signed_by.display_name)}]
            if v.signed_by_id
            else None,
            "location": ref("Location", v.location.public_id, v.location.name) if v.location_id else None,
            "reasonCode": [concept(local(v.indication, v.get_indication_display()))],
            "bodySite": [{"text": m} for m in muscles],
            "usedCode": [{"text": _product_text(v.product)}],
        }
    )


def _lots(v: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for use in v.vial_uses.all():
        seen.setdefault(use.vial.lot_id, use.vial.lot)
    return list(seen.values())


def administrations(v: Any) -> list[dict[str, Any]]:
    """One MedicationAdministration per injection site of a signed visit, ids ``<visit>-<n>`` (n = the
    site's place on the signed chart). ``v`` needs ``sites`` and ``vial_uses__vial__lot`` prefetched."""
    lots = _lots(v)
    med: dict[str, Any] = {"resourceType": "Medication", "id": "product"}
    codings = [coding(codes.NDC, lots[0].ndc)] if lots and lots[0].ndc else []
    med["code"] = concept(*codings, text=_product_text(v.product))
    if lots:
        med["batch"] = {"lotNumber": lots[0].lot_number, "expirationDate": day(lots[0].expiry_date)}
    note = None
    if len(lots) > 1:
        note = [
            {
                "text": "Lots used at this visit: "
                + ", ".join(f"{lot.lot_number} (expires {lot.expiry_date.isoformat()})" for lot in lots)
            }
        ]
    out = []
    for n, s in enumerate(v.sites.all(), start=1):
        muscle = anatomy.MUSCLE_LABELS.get(s.muscle, s.muscle)
        out.append(
            prune(
                {
                    "resourceType": "MedicationAdministration",
                    "id": f"{v.public_id}-{n}",
                    "meta": meta(v.updated_at),
                    "contained": [med],
                    "status": "completed",
                    "medicationReference": {"reference": "#product"},
                    "subject": ref("Patient", v.patient.public_id),
                    "effectiveDateTime": day(v.visit_date),
                    "performer": [{"actor": ref("Practitioner", v.signed_by.public_id)}]
                    if v.signed_by_id
                    else None,
                    "partOf": [ref("Procedure", v.public_id)],
                    "note": note,
                    "dosage": {
                        "site": concept(
                            local(f"muscle-{s.muscle}", muscle),
                            local(f"side-{s.side}", s.side.title()),
                            text=s.label,
                        ),
                        "route": {"text": "Intramuscular"},
                        "dose": {"value": number(s.units), "unit": "U"},
                    },
                }
            )
        )
    return out


_AE_OUTCOME = {
    "recovered": "resolved",
    "recovering": "recovering",
    "not_recovered": "ongoing",
    "sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}


def adverse_event(a: Any) -> dict[str, Any]:
    outcome = _AE_OUTCOME.get(a.outcome, "unknown")
    return prune(
        {
            "resourceType": "AdverseEvent",
            "id": str(a.public_id),
            "meta": meta(a.recorded_at),
            "actuality": "actual",
            "event": {"text": a.term},
            "subject": ref("Patient", a.patient.public_id),
            "recordedDate": instant(a.recorded_at),
            "seriousness": concept(
                coding(codes.AE_SERIOUSNESS, "serious" if a.serious else "non-serious"),
                text="Serious" if a.serious else "Non-serious",
            ),
            "severity": concept(coding(codes.AE_SEVERITY, a.severity)),
            "outcome": concept(coding(codes.AE_OUTCOME, outcome)),
            # The signed visit the event followed (a session's visit is the Procedure of that id).
            "suspectEntity": [{"instance": ref("Procedure", a.session.visit_id)}] if a.session_id else None,
        }
    )


def provenance(n: Any) -> dict[str, Any]:
    """Who signed (or amended) a visit's note, and when: ``n`` is a ``SignedNote`` with ``visit`` and
    ``signed_by`` joined. The target is the visit's Procedure."""
    amended = n.version > 1
    return prune(
        {
            "resourceType": "Provenance",
            "id": str(n.public_id),
            "meta": meta(n.signed_at),
            "target": [ref("Procedure", n.visit.public_id)],
            "recorded": instant(n.signed_at),
            "reason": [{"text": n.amendment_reason}] if amended and n.amendment_reason else None,
            "activity": {"text": f"Note amended (version {n.version})" if amended else "Note signed"},
            "agent": [
                {
                    "type": concept(
                        coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author"),
                    ),
                    "who": ref("Practitioner", n.signed_by.public_id, n.signed_by.display_name),
                }
            ],
        }
    )

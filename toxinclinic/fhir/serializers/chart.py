"""Condition (indications), AllergyIntolerance and MedicationStatement (current medicines and prior
preventive trials)."""

from __future__ import annotations

from typing import Any

from toxinclinic.clinical import billing
from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import coding, concept, day, local, meta, prune, ref

_INDICATION_TEXT = {"chronic_migraine": "Chronic migraine", "cervical_dystonia": "Cervical dystonia"}


def condition(c: Any) -> dict[str, Any]:
    """A patient's indication. Coded in ICD-10-CM (the billing engine's codes) and this server's local
    indication code; no SNOMED CT coding (no code could be verified for these concepts)."""
    icd_label = billing.DIAGNOSIS_CODES.get(c.indication, {}).get(c.icd10)
    text = _INDICATION_TEXT.get(c.indication, c.indication)
    pid = c.patient.public_id
    return prune(
        {
            "resourceType": "Condition",
            "id": str(c.public_id),
            "meta": meta(c.updated_at),
            "clinicalStatus": concept(coding(codes.CONDITION_CLINICAL, "active")),
            "verificationStatus": concept(coding(codes.CONDITION_VERIFICATION, "confirmed")),
            "category": [concept(coding(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))],
            "code": concept(
                *([coding(codes.ICD10CM, c.icd10, icd_label)] if c.icd10 else []),
                local(c.indication, text),
                text=text,
            ),
            "subject": ref("Patient", pid),
            "onsetDateTime": day(c.diagnosed_on),
            "recordedDate": day(c.created_at.date()),
            "note": [{"text": c.notes}] if c.notes else None,
        }
    )


def allergy(a: Any) -> dict[str, Any]:
    severity = {"mild": "mild", "moderate": "moderate", "severe": "severe"}.get(a.severity)
    reaction = None
    if a.reaction or severity:
        reaction = [
            prune(
                {
                    "manifestation": [{"text": a.reaction or "Reaction not described"}],
                    "severity": severity,
                }
            )
        ]
    codings = [local("botulinum-toxin", "Botulinum toxin or ingredient")] if a.botulinum_toxin else []
    return prune(
        {
            "resourceType": "AllergyIntolerance",
            "id": str(a.public_id),
            "meta": meta(a.updated_at),
            "clinicalStatus": concept(coding(codes.ALLERGY_CLINICAL, "active")),
            "type": "allergy",
            "criticality": "high" if a.severity == "severe" else "low",
            "code": concept(*codings, text=a.substance),
            "patient": ref("Patient", a.patient.public_id),
            "recordedDate": day(a.created_at.date()),
            "reaction": reaction,
        }
    )


def medication(m: Any) -> dict[str, Any]:
    """A chart medicine (class as the local code: anticoagulants and antiplatelets matter for screening)."""
    period = prune({"start": day(m.started_on), "end": day(m.stopped_on)})
    return prune(
        {
            "resourceType": "MedicationStatement",
            "id": f"med-{m.public_id}",
            "meta": meta(m.updated_at),
            "status": "active" if m.stopped_on is None else "completed",
            "category": concept(local(f"class-{m.drug_class}", m.get_drug_class_display())),
            "medicationCodeableConcept": {"text": m.name},
            "subject": ref("Patient", m.patient.public_id),
            "effectivePeriod": period,
            "dateAsserted": day(m.created_at.date()),
            "dosage": [{"text": m.dose}] if m.dose else None,
        }
    )


def preventive(t: Any) -> dict[str, Any]:
    """A prior (or ongoing) migraine preventive trial, with its outcome as a local status reason."""
    period = prune({"start": day(t.started_on), "end": day(t.ended_on)})
    ongoing = t.outcome == "ongoing"
    notes = [{"text": t.notes}] if t.notes else []
    if t.at_target_dose:
        notes.append({"text": "Reached the target dose."})
    return prune(
        {
            "resourceType": "MedicationStatement",
            "id": f"prev-{t.public_id}",
            "meta": meta(t.updated_at),
            "status": "active" if ongoing else "completed",
            "statusReason": None
            if ongoing
            else [concept(local(f"outcome-{t.outcome}", t.get_outcome_display()))],
            "category": concept(
                local("prior-preventive", "Migraine preventive trial"),
                local(f"preventive-{t.drug_class}", t.get_drug_class_display()),
            ),
            "medicationCodeableConcept": {"text": t.drug},
            "subject": ref("Patient", t.patient.public_id),
            "effectivePeriod": period,
            "dateAsserted": day(t.created_at.date()),
            "dosage": [{"text": t.dose}] if t.dose else None,
            "note": notes,
        }
    )

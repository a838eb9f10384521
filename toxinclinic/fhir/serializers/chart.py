"""Condition (indications), AllergyIntolerance and MedicationStatement (current medicines and prior
preventive trials). Each is built from JSON-ready column values (``shape.Shape``): the same builder serves
a read by id, a search page and the Bulk Data export."""

from __future__ import annotations

from typing import Any

from toxinclinic.clinical import billing
from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers.base import coding, concept, local, prune, ref
from toxinclinic.fhir.serializers.shape import Shape
from toxinclinic.patients.models import (
    Allergy,
    Medication,
    MedicationClass,
    PatientIndication,
    PreventiveClass,
    PreventiveOutcome,
    PreventiveTrial,
)

_INDICATION_TEXT = {"chronic_migraine": "Chronic migraine", "cervical_dystonia": "Cervical dystonia"}
_MEDICATION_CLASS = {k: str(v) for k, v in MedicationClass.choices}
_PREVENTIVE_CLASS = {k: str(v) for k, v in PreventiveClass.choices}
_PREVENTIVE_OUTCOME = {k: str(v) for k, v in PreventiveOutcome.choices}


def _meta(updated: str | None) -> dict[str, Any] | None:
    return {"lastUpdated": updated} if updated else None


def condition_values(
    public_id: str,
    updated: str | None,
    patient_id: str,
    indication: str,
    icd10: str,
    diagnosed_on: str | None,
    created: str,
    notes: str,
) -> dict[str, Any]:
    """A patient's indication. Coded in ICD-10-CM (the billing engine's codes), SNOMED CT where a concept
    was verified for that ICD-10-CM code (``codes.SNOMED_BY_ICD10``, sources in docs/fhir.md) and this
    server's local code."""
    icd_label = billing.DIAGNOSIS_CODES.get(indication, {}).get(icd10)
    text = _INDICATION_TEXT.get(indication, indication)
    snomed = codes.SNOMED_BY_ICD10.get(icd10)
    return prune(
        {
            "resourceType": "Condition",
            "id": public_id,
            "meta": _meta(updated),
            "clinicalStatus": concept(coding(codes.CONDITION_CLINICAL, "active")),
            "verificationStatus": concept(coding(codes.CONDITION_VERIFICATION, "confirmed")),
            "category": [concept(coding(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))],
            "code": concept(
                *([coding(codes.ICD10CM, icd10, icd_label)] if icd10 else []),
                *([coding(codes.SNOMED, *snomed)] if snomed else []),
                local(indication, text),
                text=text,
            ),
            "subject": ref("Patient", patient_id),
            "onsetDateTime": diagnosed_on,
            "recordedDate": created[:10],
            "note": [{"text": notes}] if notes else None,
        }
    )


CONDITION = Shape(
    PatientIndication,
    (
        "public_id",
        "updated_at",
        "patient__public_id",
        "indication",
        "icd10",
        "diagnosed_on",
        "created_at",
        "notes",
    ),
    condition_values,
)

_SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}


def allergy_values(
    public_id: str,
    updated: str | None,
    patient_id: str,
    severity_key: str,
    reaction_text: str,
    botulinum_toxin: bool,
    substance: str,
    created: str,
) -> dict[str, Any]:
    severity = _SEVERITY.get(severity_key)
    reaction = None
    if reaction_text or severity:
        reaction = [
            prune(
                {
                    "manifestation": [{"text": reaction_text or "Reaction not described"}],
                    "severity": severity,
                }
            )
        ]
    codings = [local("botulinum-toxin", "Botulinum toxin or ingredient")] if botulinum_toxin else []
    return prune(
        {
            "resourceType": "AllergyIntolerance",
            "id": public_id,
            "meta": _meta(updated),
            "clinicalStatus": concept(coding(codes.ALLERGY_CLINICAL, "active")),
            "type": "allergy",
            "criticality": "high" if severity_key == "severe" else "low",
            "code": concept(*codings, text=substance),
            "patient": ref("Patient", patient_id),
            "recordedDate": created[:10],
            "reaction": reaction,
        }
    )


ALLERGY = Shape(
    Allergy,
    (
        "public_id",
        "updated_at",
        "patient__public_id",
        "severity",
        "reaction",
        "botulinum_toxin",
        "substance",
        "created_at",
    ),
    allergy_values,
)


def medication_values(
    public_id: str,
    updated: str | None,
    patient_id: str,
    started_on: str | None,
    stopped_on: str | None,
    drug_class: str,
    name: str,
    created: str,
    dose: str,
) -> dict[str, Any]:
    """A chart medicine (class as the local code: anticoagulants and antiplatelets matter for screening)."""
    period = prune({"start": started_on, "end": stopped_on})
    return prune(
        {
            "resourceType": "MedicationStatement",
            "id": f"med-{public_id}",
            "meta": _meta(updated),
            "status": "active" if stopped_on is None else "completed",
            "category": concept(local(f"class-{drug_class}", _MEDICATION_CLASS.get(drug_class, drug_class))),
            "medicationCodeableConcept": {"text": name},
            "subject": ref("Patient", patient_id),
            "effectivePeriod": period,
            "dateAsserted": created[:10],
            "dosage": [{"text": dose}] if dose else None,
        }
    )


MEDICATION = Shape(
    Medication,
    (
        "public_id",
        "updated_at",
        "patient__public_id",
        "started_on",
        "stopped_on",
        "drug_class",
        "name",
        "created_at",
        "dose",
    ),
    medication_values,
)


def preventive_values(
    public_id: str,
    updated: str | None,
    patient_id: str,
    started_on: str | None,
    ended_on: str | None,
    outcome: str,
    notes_text: str,
    at_target_dose: bool,
    drug_class: str,
    drug: str,
    created: str,
    dose: str,
) -> dict[str, Any]:
    """A prior (or ongoing) migraine preventive trial, with its outcome as a local status reason."""
    period = prune({"start": started_on, "end": ended_on})
    ongoing = outcome == "ongoing"
    notes = [{"text": notes_text}] if notes_text else []
    if at_target_dose:
        notes.append({"text": "Reached the target dose."})
    return prune(
        {
            "resourceType": "MedicationStatement",
            "id": f"prev-{public_id}",
            "meta": _meta(updated),
            "status": "active" if ongoing else "completed",
            "statusReason": None
            if ongoing
            else [concept(local(f"outcome-{outcome}", _PREVENTIVE_OUTCOME.get(outcome, outcome)))],
            "category": concept(
                local("prior-preventive", "Migraine preventive trial"),
                local(f"preventive-{drug_class}", _PREVENTIVE_CLASS.get(drug_class, drug_class)),
            ),
            "medicationCodeableConcept": {"text": drug},
            "subject": ref("Patient", patient_id),
            "effectivePeriod": period,
            "dateAsserted": created[:10],
            "dosage": [{"text": dose}] if dose else None,
            "note": notes,
        }
    )


PREVENTIVE = Shape(
    PreventiveTrial,
    (
        "public_id",
        "updated_at",
        "patient__public_id",
        "started_on",
        "ended_on",
        "outcome",
        "notes",
        "at_target_dose",
        "drug_class",
        "drug",
        "created_at",
        "dose",
    ),
    preventive_values,
)

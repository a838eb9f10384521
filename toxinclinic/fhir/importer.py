"""Intake import: a FHIR ``transaction`` or ``collection`` Bundle of Patient, Condition,
AllergyIntolerance and MedicationStatement (current medicines, anticoagulants, prior preventives)
creates or updates patients' intake records in one clinic.

All or nothing: every entry is checked first (fhir.resources R4B model, then what this server can
store); any problem is reported per entry in an OperationOutcome and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from toxinclinic.audit.services import log_action
from toxinclinic.fhir import codes
from toxinclinic.fhir.outcome import operation_outcome
from toxinclinic.patients.models import (
    ICD10_BY_INDICATION,
    Allergy,
    Medication,
    MedicationClass,
    Patient,
    PatientIndication,
    PreventiveClass,
    PreventiveOutcome,
    PreventiveTrial,
)

SUPPORTED = ("Patient", "Condition", "AllergyIntolerance", "MedicationStatement")
# fhir.resources does not check value-set bindings, so the required ones are checked here.
_MED_STATUS = {
    "active",
    "completed",
    "entered-in-error",
    "intended",
    "stopped",
    "on-hold",
    "unknown",
    "not-taken",
}
_GENDER = {"male", "female", "other", "unknown"}
_SEVERITY = {"mild", "moderate", "severe"}


class ImportRefused(Exception):
    def __init__(self, outcome: dict[str, Any]) -> None:
        super().__init__("The bundle was refused; nothing was stored.")
        self.outcome = outcome


@dataclass
class Result:
    created: dict[str, int] = field(default_factory=dict)
    patients: list[Patient] = field(default_factory=list)
    #: Per entry, in bundle order: (HTTP status text, location of the stored resource).
    entries: list[tuple[str, str]] = field(default_factory=list)


def _local(cc: dict[str, Any] | None, prefix: str = "") -> list[str]:
    return [
        c["code"][len(prefix) :]
        for c in (cc or {}).get("coding", [])
        if c.get("system") == codes.LOCAL and c.get("code", "").startswith(prefix)
    ]


def _text(cc: dict[str, Any] | None) -> str:
    cc = cc or {}
    return (
        cc.get("text") or next((c.get("display") for c in cc.get("coding", []) if c.get("display")), "") or ""
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _subject(res: dict[str, Any]) -> str:
    return (res.get("subject") or res.get("patient") or {}).get("reference", "")


def _check(i: int, res: dict[str, Any], patients: set[str]) -> list[str]:
    """What this server cannot store about entry ``i`` (empty: it can)."""
    rt = res.get("resourceType")
    if rt not in SUPPORTED:
        return [
            f"{rt} is not part of an intake; "
            "send Patient, Condition, AllergyIntolerance or MedicationStatement."
        ]
    try:
        get_fhir_model_class(rt).model_validate(res)
    except ValidationError as exc:
        return [f"Not a valid {rt}: {e['loc']}: {e['msg']}" for e in exc.errors()[:5]]
    problems = []
    if rt == "Patient":
        if not res.get("identifier") or not res["identifier"][0].get("value"):
            problems.append("A Patient needs an identifier (the MRN).")
        if not res.get("birthDate"):
            problems.append("A Patient needs a birthDate.")
        if not res.get("name"):
            problems.append("A Patient needs a name.")
        if res.get("gender") not in (None, *_GENDER):
            problems.append(f"gender must be one of {', '.join(sorted(_GENDER))}.")
    else:
        if _subject(res) not in patients:
            problems.append(
                f"{rt} refers to {_subject(res) or 'no patient'}, which is not a Patient in this bundle."
            )
        if rt == "Condition" and _indication(res) is None:
            problems.append(
                "Condition is neither chronic migraine nor cervical dystonia (by ICD-10-CM or local code)."
            )
        if rt == "MedicationStatement" and not _text(res.get("medicationCodeableConcept")):
            problems.append("MedicationStatement needs medicationCodeableConcept.text (the medicine's name).")
        if rt == "MedicationStatement" and res.get("status") not in _MED_STATUS:
            problems.append(f"MedicationStatement.status must be one of {', '.join(sorted(_MED_STATUS))}.")
        if rt == "AllergyIntolerance" and any(
            r.get("severity") not in (None, *_SEVERITY) for r in res.get("reaction") or []
        ):
            problems.append("AllergyIntolerance.reaction.severity must be mild, moderate or severe.")
        if rt == "AllergyIntolerance" and not _text(res.get("code")):
            problems.append("AllergyIntolerance needs code.text (the substance).")
    return problems


def _indication(res: dict[str, Any]) -> tuple[str, str] | None:
    for c in (res.get("code") or {}).get("coding", []):
        if c.get("system") == codes.ICD10CM:
            for indication, icds in ICD10_BY_INDICATION.items():
                if c.get("code") in icds:
                    return indication, c["code"]
    for local in _local(res.get("code")):
        if local in ICD10_BY_INDICATION:
            return local, sorted(ICD10_BY_INDICATION[local])[0]
    return None


def _keys(entry: dict[str, Any]) -> list[str]:
    res = entry.get("resource") or {}
    out = [f"Patient/{res.get('id')}"] if res.get("id") else []
    if entry.get("fullUrl"):
        out.append(entry["fullUrl"])
    return out


def _shape_problem(entry: Any) -> str:
    """Why an entry is not even shaped like one (empty: it is), before any field is read."""
    if not isinstance(entry, dict):
        return "an entry must be an object with a resource."
    res = entry.get("resource")
    if not isinstance(res, dict):
        return "the entry has no resource object."
    if not isinstance(res.get("resourceType"), str):
        return "resource.resourceType must be the name of a resource type, as text."
    if "fullUrl" in entry and not isinstance(entry["fullUrl"], str):
        return "fullUrl must be text."
    if "id" in res and not isinstance(res["id"], str):
        return "resource.id must be text."
    return ""


def import_bundle(bundle: dict[str, Any], clinic: Any, *, actor: Any = None) -> Result:
    """Store the bundle's intake in ``clinic`` or raise ``ImportRefused`` (an OperationOutcome)."""
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") not in ("transaction", "collection"):
        raise ImportRefused(
            operation_outcome([("error", "invalid", "Send a transaction or collection Bundle.")])
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ImportRefused(operation_outcome([("error", "structure", "Bundle.entry must be a list.")]))
    issues = []
    for i, e in enumerate(entries):
        shape = _shape_problem(e)
        if shape:
            issues.append(("error", "structure", f"Bundle.entry[{i}]: {shape}"))
    if issues:
        raise ImportRefused(operation_outcome(issues))
    patient_keys = {k for e in entries if e["resource"]["resourceType"] == "Patient" for k in _keys(e)}
    for i, e in enumerate(entries):
        for problem in _check(i, e["resource"], patient_keys):
            issues.append(("error", "not-supported", f"Bundle.entry[{i}]: {problem}"))
    if issues:
        raise ImportRefused(operation_outcome(issues))
    result = Result()
    with transaction.atomic():
        by_key: dict[str, Patient] = {}
        stored: dict[int, tuple[bool, str]] = {}
        for i, e in enumerate(entries):
            res = e["resource"]
            if res["resourceType"] == "Patient":
                p, new = _patient(res, clinic)
                result.patients.append(p)
                stored[i] = (new, f"Patient/{p.public_id}")
                for k in _keys(e):
                    by_key[k] = p
        handlers = {
            "Condition": _condition,
            "AllergyIntolerance": _allergy,
            "MedicationStatement": _medication,
        }
        for i, e in enumerate(entries):
            res = e["resource"]
            rt = res["resourceType"]
            if rt == "Patient":
                continue
            stored[i] = handlers[rt](res, by_key[_subject(res)])
            result.created[rt] = result.created.get(rt, 0) + 1
        result.entries = [
            ("201 Created" if stored[i][0] else "200 OK", stored[i][1]) for i in range(len(entries))
        ]
        for p in result.patients:
            log_action("fhir.intake_imported", actor=actor, obj=p, data={"counts": result.created})
    return result


def _patient(res: dict[str, Any], clinic: Any) -> tuple[Patient, bool]:
    mrn = res["identifier"][0]["value"]
    name = res["name"][0]
    fields = {
        "first_name": " ".join(name.get("given") or [])[:100] or "-",
        "last_name": (name.get("family") or "-")[:100],
        "date_of_birth": _date(res["birthDate"]),
        "sex": res.get("gender") if res.get("gender") in ("female", "male", "other") else "unknown",
        "phone": next((t["value"] for t in res.get("telecom", []) if t.get("system") == "phone"), ""),
        "email": next((t["value"] for t in res.get("telecom", []) if t.get("system") == "email"), ""),
    }
    p = Patient.objects.filter(clinic=clinic, mrn=mrn).first()
    new = p is None
    if p is None:
        p = Patient(clinic=clinic, mrn=mrn, enrolled_on=dt.date.today(), **fields)
    else:
        for k, v in fields.items():
            setattr(p, k, v)
        p.version += 1
    p.save()
    return p, new


def _condition(res: dict[str, Any], p: Patient) -> tuple[bool, str]:
    indication, icd = _indication(res)  # type: ignore[misc]
    row, new = PatientIndication.objects.update_or_create(
        patient=p,
        indication=indication,
        defaults={"icd10": icd, "diagnosed_on": _date(res.get("onsetDateTime")), "clinic": p.clinic},
    )
    return new, f"Condition/{row.public_id}"


def _allergy(res: dict[str, Any], p: Patient) -> tuple[bool, str]:
    reaction = (res.get("reaction") or [{}])[0]
    severity = (
        reaction.get("severity") if reaction.get("severity") in ("mild", "moderate", "severe") else "moderate"
    )
    text = _text((reaction.get("manifestation") or [{}])[0])
    row, new = Allergy.objects.update_or_create(
        patient=p,
        substance=_text(res.get("code"))[:200],
        defaults={
            "botulinum_toxin": "botulinum-toxin" in _local(res.get("code")),
            "reaction": "" if text == "Reaction not described" else text[:200],
            "severity": severity,
        },
    )
    return new, f"AllergyIntolerance/{row.public_id}"


def _medication(res: dict[str, Any], p: Patient) -> tuple[bool, str]:
    name = _text(res.get("medicationCodeableConcept"))[:200]
    period = res.get("effectivePeriod") or {}
    dose = ((res.get("dosage") or [{}])[0].get("text") or "")[:100]
    category = res.get("category")
    if "prior-preventive" in _local(category):
        klass = next((c for c in _local(category, "preventive-") if c in PreventiveClass.values), "other")
        reasons = [c for r in res.get("statusReason") or [] for c in _local(r, "outcome-")]
        outcome = reasons[0] if reasons and reasons[0] in PreventiveOutcome.values else "ongoing"
        notes = [n.get("text", "") for n in res.get("note") or []]
        row, new = PreventiveTrial.objects.update_or_create(
            patient=p,
            drug=name[:100],
            started_on=_date(period.get("start")),
            defaults={
                "drug_class": klass,
                "dose": dose,
                "ended_on": _date(period.get("end")),
                "outcome": outcome,
                "at_target_dose": "Reached the target dose." in notes,
                "notes": " ".join(n for n in notes if n != "Reached the target dose.")[:300],
            },
        )
        return new, f"MedicationStatement/prev-{row.public_id}"
    klass = next((c for c in _local(category, "class-") if c in MedicationClass.values), "other")
    med, new = Medication.objects.update_or_create(
        patient=p,
        name=name,
        started_on=_date(period.get("start")),
        defaults={"drug_class": klass, "dose": dose, "stopped_on": _date(period.get("end"))},
    )
    return new, f"MedicationStatement/med-{med.public_id}"

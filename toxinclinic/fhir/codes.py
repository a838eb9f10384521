"""Code systems the server writes, each a published URI, plus this server's own local code system.

ICD-10-CM codes are the billing engine's table (clinical-reference §9); CPT 64615/64616 are the
chemodenervation codes for chronic migraine and neck muscles. SNOMED CT and LOINC codes are written only
where a code was verified in a public source (docs/fhir.md, "Codes", names each source); every other
concept carries this server's local code and a ``text`` (never an invented code).
"""

from __future__ import annotations

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
NDC = "http://hl7.org/fhir/sid/ndc"
UCUM = "http://unitsofmeasure.org"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
ISSUE_TYPE = "http://hl7.org/fhir/issue-type"

#: This server's own codes (indications, diary counts, questionnaire totals, drug classes).
LOCAL = "urn:toxinclinic:fhir:codes"
#: Identifier system of a patient's MRN, per clinic (the clinic's public id follows).
MRN_SYSTEM = "urn:toxinclinic:mrn:"

CPT_BY_INDICATION = {
    "chronic_migraine": (
        "64615",
        "Chemodenervation of muscle(s); muscle(s) innervated by facial, trigeminal, cervical spinal and "
        "accessory nerves, bilateral (eg, for chronic migraine)",
    ),
    "cervical_dystonia": (
        "64616",
        "Chemodenervation of muscle(s); neck muscle(s), excluding muscles of the larynx, unilateral",
    ),
}

#: SNOMED CT concept per ICD-10-CM code of an indication: (code, preferred term). Only codes verified in a
#: public source (docs/fhir.md names it); the non-intractable chronic migraine codes and cervical dystonia
#: have no verified concept, so they carry ICD-10-CM and the local code only.
SNOMED_BY_ICD10: dict[str, tuple[str, str]] = {
    "G43.711": ("124171000119105", "Chronic intractable migraine without aura"),
    "G43.719": ("124171000119105", "Chronic intractable migraine without aura"),
}

#: LOINC code of a questionnaire's total score, per instrument: (code, display). Only verified codes
#: (docs/fhir.md): none was found for the MIDAS, HIT-6, TWSTRS or PGIC totals.
LOINC_BY_INSTRUMENT: dict[str, tuple[str, str]] = {
    "pain_nrs": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
}

#: Local Observation codes: (code, display).
OBS_DIARY_DAY = ("diary-day", "Headache diary day")
OBS_HEADACHE_DAYS = ("headache-days-month", "Headache days in the month")
OBS_MIGRAINE_DAYS = ("migraine-days-month", "Migraine days in the month")


def questionnaire_code(instrument: str) -> str:
    return f"questionnaire-total-{instrument}"

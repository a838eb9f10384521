"""FHIR routes in the authorization matrix. FHIR answers bearer tokens only (SMART Backend Services): a
signed-in person's session is no FHIR credential, so every protected route is a 401 OperationOutcome for
every role; the public documents are 200 for everyone. Scopes, clinics and patients are tested with real
tokens in ``test_smart_auth``."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.tests.authz import Route, expect

ROUTES: list[Route] = [
    Route("fhir:smart_configuration", "GET", "/.well-known/smart-configuration", expect(200)),
    Route("fhir:metadata", "GET", "/fhir/R4/metadata", expect(200)),
    Route("fhir:token", "POST", "/fhir/R4/auth/token", expect(400)),
    Route("fhir:transaction", "POST", "/fhir/R4/", expect(401), body={"resourceType": "Bundle"}),
    Route("fhir:search", "GET", "/fhir/R4/Patient", expect(401)),
    Route("fhir:read", "GET", "/fhir/R4/Patient/{patient}", expect(401)),
    Route("fhir:search", "GET", "/fhir/R4/Appointment", expect(401)),
    Route("fhir:read", "GET", "/fhir/R4/Appointment/{patient}", expect(401)),
    Route("fhir:export", "GET", "/fhir/R4/$export", expect(401)),
    Route("fhir:export_status", "GET", "/fhir/R4/$export-status/{patient}", expect(401)),
]


# --- SMART tokens (the sweep's FHIR half, run by test_authz_matrix.test_smart_matrix) ----------------------
#: The identities FHIR knows, and the person each stands for in the leak rules: clinic A's own system client
#: (sees clinic A), another clinic's system client, clinic A's app bound to the second patient, another
#: clinic's app bound to its own patient, and a token that is not live.
SMART_AS = {
    "smart_a": "clinician",
    "smart_b": "other_clinician",
    "smart_patient2": "patient2",
    "smart_other_patient": "other_patient",
    "smart_none": "anon",
}


def smart(default: int, **ids: int) -> dict[str, int]:
    """Expected status per SMART identity (a dead token: 401 unless named)."""
    out = dict.fromkeys(SMART_AS, default)
    out["smart_none"] = 401
    out.update({f"smart_{k}": v for k, v in ids.items()})
    return out


R = "/fhir/R4/"
OWN_ONLY = smart(404, a=200)
# A search naming a patient: the clinic's own client gets the bundle, another clinic's an empty one, a
# patient's app asking for somebody else is refused.
SEARCH = smart(200, patient2=403, other_patient=403)
SMART_ROUTES: list[Route] = [
    Route("fhir:read", "GET", R + "Patient/{patient}", OWN_ONLY),
    Route("fhir:read", "GET", R + "Patient/{patient2}", smart(404, a=200, patient2=200)),
    Route("fhir:search", "GET", R + "Patient", smart(200)),
    Route("fhir:search", "GET", R + "Patient?_id={patient}", smart(200)),
    # Searching by name or MRN is not offered (400): the refusal must not name anybody either.
    Route("fhir:search", "GET", R + "Patient?family=Lovelace", smart(400)),
    Route("fhir:search", "GET", R + "Patient?identifier=QZA001", smart(400)),
    Route("fhir:read", "GET", R + "AllergyIntolerance/{allergy}", OWN_ONLY),
    Route("fhir:search", "GET", R + "AllergyIntolerance?patient={patient}", SEARCH),
    Route("fhir:read", "GET", R + "Condition/{indications_record}", OWN_ONLY),
    Route("fhir:search", "GET", R + "MedicationStatement?patient={patient}", SEARCH),
    Route("fhir:search", "GET", R + "Observation?patient={patient}", SEARCH),
    Route("fhir:read", "GET", R + "QuestionnaireResponse/{response}", OWN_ONLY),
    Route("fhir:read", "GET", R + "Appointment/{appointment}", OWN_ONLY),
    Route("fhir:search", "GET", R + "Appointment?patient={patient}", SEARCH),
    Route("fhir:read", "GET", R + "Procedure/{signed_visit}", smart(404, a=200, patient2=200)),
    Route("fhir:search", "GET", R + "Procedure?patient={patient2}", smart(200, other_patient=403)),
    Route("fhir:search", "GET", R + "AdverseEvent?patient={patient}", SEARCH),
    Route("fhir:search", "GET", R + "Provenance?patient={patient2}", smart(200, other_patient=403)),
    Route("fhir:export_status", "GET", R + "$export-status/{fhir_job}", smart(404)),
    Route("fhir:export_file", "GET", R + "$export-file/{fhir_job}/Patient.ndjson", smart(404)),
    # An empty transaction writes nothing and answers an empty bundle; the sweep checks no row changed.
    Route("fhir:transaction", "POST", R, smart(200), body={"resourceType": "Bundle", "type": "transaction"}),
]


def path_keys(world: Any) -> dict[str, str]:
    """A finished bulk export of clinic A (its own system client's), its Patient file holding clinic A's
    patients as the worker wrote it."""
    from django.utils import timezone

    from toxinclinic.fhir import export
    from toxinclinic.fhir.models import ExportJob
    from toxinclinic.fhir.tests.helpers import make_client

    client, _ = make_client(world.clinic, name="Clinic A exporter")
    job = ExportJob.objects.create(
        clinic=world.clinic,
        client=client,
        level="system",
        types=["Patient"],
        request_url="http://testserver/fhir/R4/$export",
        transaction_time=timezone.now(),
    )
    export.run(str(job.public_id))
    return {"fhir_job": str(job.public_id)}

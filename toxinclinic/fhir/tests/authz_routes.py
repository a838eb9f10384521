"""FHIR routes in the authorization matrix. FHIR answers bearer tokens only (SMART Backend Services): a
signed-in person's session is no FHIR credential, so every protected route is a 401 OperationOutcome for
every role; the public documents are 200 for everyone. Scopes, clinics and patients are tested with real
tokens in ``test_smart_auth``."""

from __future__ import annotations

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

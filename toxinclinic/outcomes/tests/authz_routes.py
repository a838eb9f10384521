"""Questionnaire routes in the authorization matrix."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.tests.authz import Route, expect

READERS = dict(nurse=200, clinician=200, injector=200, coordinator=200, patient2=404, other_patient=404)


def path_keys(world: Any) -> dict[str, str]:
    from toxinclinic.outcomes.services import submit

    r = submit(world.patient, "pain_nrs", {"pain": 4}, actor=world.user("patient"))
    return {"response": str(r.public_id)}


ROUTES: list[Route] = [
    Route(
        "outcomes:list",
        "GET",
        "/questionnaires/",
        expect(anon=302, patient=200, patient2=200, other_patient=200, default=403),
    ),
    Route(
        "outcomes:answer",
        "GET",
        "/questionnaires/midas/",
        expect(anon=302, patient=200, patient2=200, other_patient=200, default=403),
    ),
    Route(
        "outcomes:response",
        "GET",
        "/questionnaires/responses/{response}/",
        expect(anon=302, patient=200, default=404, **READERS),
    ),
    Route(
        "outcomes:patient",
        "GET",
        "/questionnaires/patients/{patient}/",
        expect(anon=302, patient=302, admin=403, default=404, **READERS),
    ),
    Route("api:questionnaire_instruments", "GET", "/api/v1/questionnaires", expect(anon=401, default=200)),
    Route(
        "api:my_due_questionnaires",
        "GET",
        "/api/v1/questionnaires/due",
        expect(anon=401, patient=200, patient2=200, other_patient=200, default=403),
    ),
    Route(
        "api:my_questionnaire_responses",
        "GET",
        "/api/v1/questionnaires/responses",
        expect(anon=401, patient=200, patient2=200, other_patient=200, default=403),
    ),
    Route(
        "api:submit_questionnaire",
        "POST",
        "/api/v1/questionnaires/pain_nrs/responses",
        expect(anon=401, patient=201, patient2=201, other_patient=201, default=403),
        body={"answers": {"pain": 3}},
    ),
    Route(
        "api:patient_questionnaire_responses",
        "GET",
        "/api/v1/questionnaires/patients/{patient}/responses",
        expect(anon=401, patient=200, admin=403, default=404, **READERS),
    ),
]

"""Coverage routes (prior authorizations and payer packets) in the authorization matrix.

Staff of the patient's clinic keep authorizations and build packets; a patient never opens them (their
own id: 403, another patient's: 404); another clinic's staff get 404. An authorization is reached only
through its own patient: asked for under another patient, it is a 404.
"""

from __future__ import annotations

from typing import Any

from toxinclinic.core.tests.authz import Route, expect
from toxinclinic.core.tests.authz_leaks import MARK_ADA

P = "/coverage/patients/{patient}/"
A = "/api/v1/coverage/patients/{patient}"
STAFF_A = dict(anon=302, staff_a=200, patient=403, default=404)
STAFF_A_API = dict(anon=401, staff_a=200, patient=403, default=404)
WRONG_PATIENT = dict(anon=302, patient2=403, default=404)
WRONG_PATIENT_API = dict(anon=401, patient2=403, default=404)

ROUTES: list[Route] = [
    Route("coverage:packet", "GET", P, expect(**STAFF_A)),
    Route(
        "coverage:packet",
        "POST",
        P,
        expect(
            **{**STAFF_A, **dict.fromkeys(("nurse", "clinician", "injector", "coordinator", "admin"), 400)}
        ),
        body={},
    ),
    Route("coverage:packet_pdf", "GET", P + "packet.pdf?auth={authorization}", expect(**STAFF_A)),
    Route("coverage:packet_json", "GET", P + "packet.json?auth={authorization}", expect(**STAFF_A)),
    Route(
        "coverage:packet_json",
        "GET",
        "/coverage/patients/{patient2}/packet.json?auth={authorization}",
        expect(**WRONG_PATIENT),
    ),
    # API
    Route("api:list_authorizations", "GET", A + "/authorizations", expect(**STAFF_A_API)),
    Route(
        "api:record_authorization",
        "POST",
        A + "/authorizations",
        expect(
            **{
                **STAFF_A_API,
                **dict.fromkeys(("nurse", "clinician", "injector", "coordinator", "admin"), 201),
            }
        ),
        body={"payer": "Aetna", "status": "drafted"},
    ),
    Route(
        "api:move_authorization",
        "POST",
        A + "/authorizations/{authorization}/status",
        expect(**STAFF_A_API),
        body={"status": "submitted", "version": 1},
    ),
    Route(
        "api:move_authorization",
        "POST",
        "/api/v1/coverage/patients/{patient2}/authorizations/{authorization}/status",
        expect(**WRONG_PATIENT_API),
        body={"status": "submitted", "version": 1},
    ),
    Route("api:get_packet", "GET", A + "/packet?authorization={authorization}", expect(**STAFF_A_API)),
]


def path_keys(world: Any) -> dict[str, str]:
    """A drafted prior authorization (version 1) for the patient of clinic A."""
    from toxinclinic.coverage import services

    auth = services.record_authorization(
        world.patient, actor=world.user("coordinator"), status="drafted", payer="Aetna", reference=MARK_ADA
    )
    return {"authorization": str(auth.public_id)}

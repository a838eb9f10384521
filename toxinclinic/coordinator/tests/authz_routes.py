"""Worklist and outreach routes in the authorization matrix.

Every staff member reads their own clinic's worklist (another clinic's staff see their own, empty, list);
outreach on a patient is for staff of the patient's clinic, assignment of others for coordinators and
admins, "assign to me" for coordinators only (an admin is never an assignee).
Patients never use these screens (their own id: 403, another patient's: 404); another clinic's staff get
404 for clinic A's patients.
"""

from __future__ import annotations

from typing import Any

from toxinclinic.core.tests.authz import Route, expect
from toxinclinic.core.tests.authz_leaks import MARK_ADA

OUTREACH = dict(anon=302, staff_a=200, patient=403, default=404)
ASSIGNERS = dict(anon=302, coordinator=302, admin=403, nurse=403, clinician=403, injector=403, patient=403,
                 default=404)  # fmt: skip

ROUTES: list[Route] = [
    Route("coordinator:worklist", "GET", "/coordinator/worklist/", expect(anon=302, staff=200, default=403)),
    Route(
        "coordinator:worklist",
        "GET",
        "/coordinator/worklist/?f=overdue&f=mine",
        expect(anon=302, staff=200, default=403),
    ),
    Route(
        "coordinator:worklist_csv",
        "GET",
        "/coordinator/worklist.csv",
        expect(anon=302, staff=200, default=403),
    ),
    Route("coordinator:outreach", "GET", "/coordinator/patients/{patient}/outreach/", expect(**OUTREACH)),
    Route(
        "coordinator:outreach",
        "POST",
        "/coordinator/patients/{patient}/outreach/",
        expect(
            **{**OUTREACH, **dict.fromkeys(("nurse", "clinician", "injector", "coordinator", "admin"), 400)}
        ),
        body={},
    ),
    Route(
        "coordinator:assign_to_me",
        "POST",
        "/coordinator/patients/{patient}/assign-to-me/",
        expect(**ASSIGNERS),
    ),
    Route(
        "coordinator:assign_to_me",
        "GET",
        "/coordinator/patients/{patient}/assign-to-me/",
        expect(anon=302, default=405),
    ),
    Route("api:get_worklist", "GET", "/api/v1/worklist", expect(anon=401, staff=200, default=403)),
    Route(
        "api:get_worklist", "GET", "/api/v1/worklist?f=auth&page=2", expect(anon=401, staff=200, default=403)
    ),
]


def path_keys(world: Any) -> dict[str, str]:
    """The patient is an outreach target of clinic A: one attempt recorded, so the page shows a history
    and the worklist has their row."""
    from toxinclinic.coordinator import services

    services.record_outreach(
        world.patient,
        actor=world.user("coordinator"),
        outcome="no_answer",
        note=f"Rang the mobile. {MARK_ADA}",
        next_contact_on=None,
    )
    return {}

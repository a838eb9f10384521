"""After-injection and triage routes in the authorization matrix."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from toxinclinic.core.tests.authz import Route, expect
from toxinclinic.core.tests.authz_leaks import MARK_ADA

PATIENTS = dict(patient=200, patient2=200, other_patient=200)
TRIAGE = dict(nurse=200, clinician=200, injector=200)
ITEM_REFUSED = dict(coordinator=403, admin=403, other_clinician=404)
# The API refuses the role before it looks the item up: another clinic's coordinator or admin gets 403.
ROLE_FIRST_B = dict(other_coordinator=403, other_admin=403)


def path_keys(world: Any) -> dict[str, str]:
    from toxinclinic.safety.models import CheckIn
    from toxinclinic.safety.services import report_side_effect
    from toxinclinic.treatment.services import record_session

    session = record_session(
        visit_id=uuid.uuid4(),
        patient=world.patient,
        clinic_id=world.clinic.pk,
        injected_on=timezone.localdate() - dt.timedelta(days=3),
        product="botox",
        indication="chronic_migraine",
        total_units=155,
        sites=[{"muscle": "frontalis", "side": "left", "units": 5}],
        signed_by=world.user("clinician"),
    )
    ci = CheckIn.objects.get(session=session, day_offset=3)
    rep = report_side_effect(
        world.patient,
        symptoms=["neck_pain"],
        other_text=f"Stiff neck {MARK_ADA}",
        actor=world.user("patient"),
    )
    return {
        "check_in": str(ci.public_id),
        "report": str(rep.public_id),
        "triage_item": str(rep.triage_item.public_id),
    }


T = "/safety/triage/{triage_item}/"
A = "/api/v1/triage/{triage_item}"
ROUTES: list[Route] = [
    Route("safety:report", "GET", "/safety/report/", expect(anon=302, default=403, **PATIENTS)),
    Route(
        "safety:report_result",
        "GET",
        "/safety/reports/{report}/",
        expect(anon=302, patient=200, default=404, **TRIAGE),
    ),
    Route(
        "safety:check_in",
        "GET",
        "/safety/check-ins/{check_in}/",
        expect(anon=302, patient=200, patient2=404, other_patient=404, default=403),
    ),
    Route("safety:aftercare", "GET", "/safety/treatment/", expect(anon=302, default=403, **PATIENTS)),
    Route(
        "safety:triage",
        "GET",
        "/safety/triage/",
        expect(anon=302, other_clinician=200, default=403, own_clinic=True, **TRIAGE),
    ),
    Route("safety:triage_item", "GET", T, expect(anon=302, default=404, **TRIAGE, **ITEM_REFUSED)),
    Route(
        "safety:acknowledge",
        "POST",
        T + "acknowledge/",
        expect(anon=302, default=404, nurse=302, clinician=302, injector=302, **ITEM_REFUSED),
    ),
    Route(
        "safety:call_back",
        "POST",
        T + "call-back/",
        expect(anon=302, default=404, nurse=400, clinician=400, injector=400, **ITEM_REFUSED),
    ),
    Route(
        "safety:adverse_event",
        "GET",
        T + "adverse-event/",
        expect(anon=302, default=404, **TRIAGE, **ITEM_REFUSED),
    ),
    # API
    Route("api:side_effect_symptoms", "GET", "/api/v1/side-effects/symptoms", expect(anon=401, default=200)),
    Route(
        "api:report_side_effect",
        "POST",
        "/api/v1/side-effects",
        # Grace has a signed session (visits' ``signed_visit`` fixture), so her report is received; Mary in
        # clinic B has none: a field error that names the missing injection, nothing stored.
        expect(anon=401, patient=201, patient2=201, other_patient=422, default=403),
        body={"symptoms": ["neck_pain"]},
    ),
    Route(
        "api:list_my_side_effects", "GET", "/api/v1/side-effects", expect(anon=401, default=403, **PATIENTS)
    ),
    Route("api:list_my_check_ins", "GET", "/api/v1/check-ins", expect(anon=401, default=403, **PATIENTS)),
    Route(
        "api:answer_check_in",
        "POST",
        "/api/v1/check-ins/{check_in}",
        expect(anon=401, patient=200, patient2=404, other_patient=404, default=403),
        body={"symptoms": []},
    ),
    Route("api:my_treatment", "GET", "/api/v1/treatment", expect(anon=401, default=403, **PATIENTS)),
    Route("api:my_to_do", "GET", "/api/v1/to-do", expect(anon=401, default=403, **PATIENTS)),
    Route(
        "api:list_treatment_sessions",
        "GET",
        "/api/v1/treatment/patients/{patient}/sessions",
        expect(anon=401, patient=200, staff_a=200, default=404),
    ),
    Route(
        "api:triage_queue",
        "GET",
        "/api/v1/triage",
        expect(anon=401, other_clinician=200, default=403, own_clinic=True, **TRIAGE),
    ),
    Route(
        "api:read_triage_item",
        "GET",
        A,
        expect(anon=401, other_clinician=404, default=403, **ROLE_FIRST_B, **TRIAGE),
    ),
    Route(
        "api:acknowledge_triage_item",
        "POST",
        A + "/acknowledge",
        expect(anon=401, other_clinician=404, default=403, **ROLE_FIRST_B, **TRIAGE),
        body={"version": 1},
    ),
    Route(
        "api:record_triage_call_back",
        "POST",
        A + "/call-back",
        expect(anon=401, other_clinician=404, default=403, **ROLE_FIRST_B, **TRIAGE),
        body={"version": 1, "notes": "Called, advised rest", "outcome": "advice_given"},
    ),
    Route(
        "api:create_adverse_event",
        "POST",
        A + "/adverse-events",
        expect(
            anon=401, other_clinician=404, default=403, **ROLE_FIRST_B, nurse=201, clinician=201, injector=201
        ),
        body={"term": "Neck pain", "severity": "mild", "onset_day": 2, "outcome": "recovering"},
    ),
    Route(
        "api:list_adverse_events",
        "GET",
        "/api/v1/adverse-events/patients/{patient}",
        expect(anon=401, patient=403, coordinator=403, admin=403, default=404, **TRIAGE),
    ),
]

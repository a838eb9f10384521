"""Treatment-cycle and clinic-outcome routes in the authorization matrix.

A patient's cycles are for the patient themself (their own plain-words page) and the clinical staff
(nurses, clinicians) of the patient's clinic; coordinators and admins are refused; another patient or
another clinic's staff get 404. The clinic's aggregate outcomes are for clinicians and clinic admins, each
reading their own clinic's figures only (another clinic's clinician gets their own clinic's report).
"""

from __future__ import annotations

import uuid
from typing import Any

from toxinclinic.core.tests.authz import Route, expect

PATIENTS = dict(patient=200, patient2=200, other_patient=200)
CLINICAL_A = dict(nurse=200, clinician=200, injector=200, coordinator=403, admin=403)
REPORT = dict(clinician=200, injector=200, admin=200, other_clinician=200)

ROUTES: list[Route] = [
    Route("cycles:mine", "GET", "/cycles/mine/", expect(anon=302, default=403, **PATIENTS)),
    Route("cycles:mine_chart", "GET", "/cycles/mine/chart.png", expect(anon=302, default=403, **PATIENTS)),
    # A patient following a staff link lands on their own page, whoever's id it names.
    Route(
        "cycles:patient",
        "GET",
        "/cycles/patients/{patient}/",
        expect(anon=302, patient=302, patient2=302, other_patient=302, default=404, **CLINICAL_A),
    ),
    Route(
        "cycles:patient",
        "GET",
        "/cycles/patients/not-an-id/",
        expect(anon=302, patient=302, patient2=302, other_patient=302, default=404),
    ),
    Route(
        "cycles:patient_chart",
        "GET",
        "/cycles/patients/{patient}/chart.png",
        expect(anon=302, patient=200, default=404, **CLINICAL_A),
    ),
    Route(
        "cycles:report", "GET", "/cycles/outcomes/", expect(anon=302, default=403, own_clinic=True, **REPORT)
    ),
    Route(
        "cycles:report",
        "GET",
        "/cycles/outcomes/?indication=cervical_dystonia",
        expect(anon=302, default=403, own_clinic=True, **REPORT),
    ),
    Route(
        "cycles:report_chart",
        "GET",
        "/cycles/outcomes/headache_days.png",
        expect(anon=302, default=403, own_clinic=True, **REPORT),
    ),
    Route(
        "cycles:report_csv",
        "GET",
        "/cycles/outcomes/export.csv",
        expect(anon=302, default=403, own_clinic=True, **REPORT),
    ),
    # API
    Route("api:my_cycles", "GET", "/api/v1/cycles/mine", expect(anon=401, default=403, **PATIENTS)),
    Route(
        "api:patient_cycles",
        "GET",
        "/api/v1/cycles/patients/{patient}",
        expect(anon=401, patient=200, default=404, **CLINICAL_A),
    ),
    Route(
        "api:clinic_outcomes",
        "GET",
        "/api/v1/cycles/outcomes",
        expect(anon=401, default=403, own_clinic=True, **REPORT),
    ),
]


def path_keys(world: Any) -> dict[str, str]:
    """The patient of clinic A has a signed session (a finished cycle, 100 days ago), so the timeline,
    its chart and the clinic's report have a cycle to show."""
    from toxinclinic.testing import days_ago
    from toxinclinic.treatment.services import record_session

    record_session(
        visit_id=uuid.uuid4(),
        patient=world.patient,
        clinic_id=world.clinic.pk,
        injected_on=days_ago(100),
        product="botox",
        indication="chronic_migraine",
        total_units=155,
        sites=[{"muscle": "frontalis", "side": "left", "units": 5}],
        signed_by=world.user("clinician"),
    )
    return {}

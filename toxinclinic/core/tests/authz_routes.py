"""The foundation's routes in the authorization matrix (see test_authz_matrix.py).

Each app adds its own ``authz_routes.py`` beside its tests with a ``ROUTES`` list.
Roles: anon, patient (owns world.patient), patient2 (same clinic, other patient),
other_patient (other clinic), nurse, clinician, injector, coordinator, admin,
other_clinician (other clinic).
"""

from __future__ import annotations

from toxinclinic.core.tests.authz import ALL_ROLES, Route, expect

P = "/patients/{patient}/"
# Clinical history (allergies, medicines, …): clinical staff of the clinic write; others may not.
HISTORY_WRITE = dict(
    anon=302, nurse=200, clinician=200, injector=200, coordinator=403, admin=403, patient=403
)

ROUTES: list[Route] = [
    Route("landing", "GET", "/", expect(anon=200, default=302)),
    Route("healthz", "GET", "/healthz", expect(default=200)),
    Route("favicon", "GET", "/favicon.ico", expect(default=200)),
    Route("robots_txt", "GET", "/robots.txt", expect(default=200)),
    Route("home", "GET", "/home/", expect(anon=302, default=200)),
    Route("login", "GET", "/accounts/login/", expect(anon=200, default=302)),
    Route("logout", "POST", "/accounts/logout/", expect(default=302)),
    Route("accept_invite", "GET", "/accounts/invite/not-a-token/", expect(default=404)),
    Route("two_factor", "GET", "/accounts/two-factor/", expect(anon=302, default=200)),
    Route("users", "GET", "/users/", expect(anon=302, admin=200, default=403, own_clinic=True)),
    Route("patients:list", "GET", "/patients/", expect(anon=302, staff=200, default=403)),
    Route(
        "patients:create",
        "GET",
        "/patients/new/",
        expect(
            anon=302,
            nurse=200,
            clinician=200,
            injector=200,
            coordinator=200,
            other_clinician=200,
            default=403,
            own_clinic=True,
        ),
    ),
    Route("patients:chart", "GET", P, expect(anon=302, patient=200, staff_a=200, default=404)),
    Route(
        "patients:edit",
        "GET",
        P + "edit/",
        expect(
            anon=302,
            nurse=200,
            clinician=200,
            injector=200,
            coordinator=200,
            admin=403,
            patient=403,
            default=404,
        ),
    ),
    Route(
        "patients:invite",
        "POST",
        "/patients/{patient2}/invite/",
        expect(
            anon=302,
            nurse=302,
            clinician=302,
            injector=302,
            coordinator=302,
            admin=403,
            patient2=403,
            default=404,
        ),
    ),
    Route(
        "patients:record_create",
        "GET",
        P + "allergies/new/",
        expect(**HISTORY_WRITE, default=404),
    ),
    Route(
        "patients:record_edit",
        "GET",
        P + "allergies/{allergy}/",
        expect(**HISTORY_WRITE, default=404),
    ),
    Route(
        "patients:record_delete",
        "POST",
        P + "allergies/{allergy}/delete/",
        expect(
            anon=302,
            nurse=302,
            clinician=302,
            injector=302,
            coordinator=403,
            admin=403,
            patient=403,
            default=404,
        ),
    ),
    Route("audit", "GET", "/audit/", expect(anon=302, admin=200, default=403, own_clinic=True)),
    Route(
        "my_access_log",
        "GET",
        "/me/access-log/",
        expect(anon=302, patient=200, patient2=200, other_patient=200, default=403),
    ),
    Route("admin:index", "GET", "/admin/", expect(admin=200, default=302, own_clinic=True)),
    # Django's admin (its own permission checks; clinic-scoped querysets): clinic A's admin opens the
    # patient's login and an audit event about them; another clinic's admin is sent back to the index.
    Route(
        "admin:accounts_user_changelist",
        "GET",
        "/admin/accounts/user/",
        expect(admin=200, default=302, own_clinic=True),
    ),
    Route(
        "admin:accounts_user_change",
        "GET",
        "/admin/accounts/user/{patient_user_pk}/change/",
        expect(admin=200, default=302),
    ),
    Route(
        "admin:audit_auditevent_changelist",
        "GET",
        "/admin/audit/auditevent/",
        expect(admin=200, default=302, own_clinic=True),
    ),
    Route(
        "admin:audit_auditevent_change",
        "GET",
        "/admin/audit/auditevent/{audit_event_pk}/change/",
        expect(admin=200, default=302),
    ),
    # API
    Route("api:me", "GET", "/api/v1/me", expect(anon=401, default=200)),
    Route("api:list_patients", "GET", "/api/v1/patients", expect(anon=401, staff=200, default=403)),
    Route(
        "api:create_patient",
        "POST",
        "/api/v1/patients",
        expect(
            anon=401,
            nurse=201,
            clinician=201,
            injector=201,
            coordinator=201,
            other_clinician=201,
            default=403,
            own_clinic=True,
        ),
        body={
            "mrn": "N1",
            "first_name": "New",
            "last_name": "Person",
            "date_of_birth": "1990-01-02",
            "enrolled_on": "2025-02-03",
        },
    ),
    Route(
        "api:read_patient",
        "GET",
        "/api/v1/patients/{patient}",
        expect(anon=401, patient=200, staff_a=200, default=404),
    ),
    Route(
        "api:update_patient",
        "PATCH",
        "/api/v1/patients/{patient}",
        expect(
            anon=401,
            nurse=200,
            clinician=200,
            injector=200,
            coordinator=200,
            admin=403,
            patient=403,
            default=404,
        ),
        body={"version": 1, "phone": "(617) 555-0101"},
    ),
    Route(
        "api:audit_events",
        "GET",
        "/api/v1/audit/events",
        expect(anon=401, admin=200, default=403, own_clinic=True),
    ),
]

# Every chart sub-record kind has the same four operations and the same rules.
KIND_BODIES = {
    "indications": {"indication": "cervical_dystonia", "icd10": "G24.3"},
    "allergies": {"substance": "Latex", "botulinum_toxin": False, "severity": "mild"},
    "medications": {"name": "Apixaban", "drug_class": "anticoagulant", "dose": "5 mg"},
    "history": {"condition": "swallowing_difficulty", "details": "since stroke"},
    "preventives": {
        "drug": "Topiramate",
        "drug_class": "anticonvulsant",
        "outcome": "ineffective",
        "at_target_dose": True,
    },
}
for kind, body in KIND_BODIES.items():
    rec = "{patient}/" + kind + "/{" + kind + "_record}"
    base = "/api/v1/patients/{patient}/" + kind
    ROUTES += [
        Route(f"api:list_{kind}", "GET", base, expect(anon=401, patient=200, staff_a=200, default=404)),
        Route(
            f"api:create_{kind}",
            "POST",
            base,
            expect(
                anon=401,
                nurse=201,
                clinician=201,
                injector=201,
                coordinator=403,
                admin=403,
                patient=403,
                default=404,
            ),
            body=body,
        ),
        Route(
            f"api:update_{kind}",
            "PATCH",
            "/api/v1/patients/" + rec,
            expect(
                anon=401,
                nurse=200,
                clinician=200,
                injector=200,
                coordinator=403,
                admin=403,
                patient=403,
                default=404,
            ),
            body={"version": 1},
        ),
        Route(
            f"api:delete_{kind}",
            "DELETE",
            "/api/v1/patients/" + rec + "?version=1",
            expect(
                anon=401,
                nurse=204,
                clinician=204,
                injector=204,
                coordinator=403,
                admin=403,
                patient=403,
                default=404,
            ),
        ),
    ]

assert all(set(r.expected) == set(ALL_ROLES) for r in ROUTES)

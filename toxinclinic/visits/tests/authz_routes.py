"""Visits, inventory and recall routes in the authorization matrix (see core/tests/test_authz_matrix.py).

Nurses and clinicians (prescriber or not) prepare visits; only clinicians sign and amend; coordinators and
admins read visits, notes and billing. Another clinic's users get 404 for clinic A's objects; patients
use the portal and get 403 on staff lists and 404 on visit ids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from toxinclinic.clinical.screening import KEYS as SCREENING_KEYS
from toxinclinic.core.tests.authz import Route, expect
from toxinclinic.core.tests.authz_leaks import MARK_ADA, MARK_GRACE

FIXED_PATIENT = "5e0b2c7e-0000-4000-8000-000000000001"
FIXED_VIAL = "5e0b2c7e-0000-4000-8000-000000000002"
FIXED_LOC = "5e0b2c7e-0000-4000-8000-000000000003"
RECON_LOT = "5e0b2c7e-0000-4000-8000-000000000004"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()

V = "/visits/{visit}/"
A = "/api/v1/visits/{visit}"
PREP = dict(anon=302, nurse=200, clinician=200, injector=200, coordinator=403, admin=403, default=404)
PREP_API = dict(anon=401, nurse=200, clinician=200, injector=200, coordinator=403, admin=403, default=404)
READ_A = dict(anon=302, staff_a=200, default=404)
READ_A_API = dict(anon=401, staff_a=200, default=404)
STAFF_LIST = dict(anon=302, staff=200, default=403)
STAFF_LIST_API = dict(anon=401, staff=200, default=403)
SIGNERS_API = dict(anon=401, clinician=201, injector=201, nurse=403, coordinator=403, admin=403, default=404)
STOCKERS = dict(
    anon=302,
    nurse=200,
    clinician=200,
    injector=200,
    admin=200,
    other_clinician=200,
    default=403,
    own_clinic=True,
)
# Roles refused before any id is looked up: another clinic's coordinator (and admin) get 403, not 404.
ROLE_FIRST_B = dict(other_coordinator=403, other_admin=403)

ROUTES: list[Route] = [
    Route("visits:today", "GET", "/visits/", expect(**STAFF_LIST)),
    Route(
        "visits:billing",
        "GET",
        "/visits/billing/",
        expect(**STAFF_LIST),
    ),
    Route(
        "visits:patient",
        "GET",
        "/visits/patient/{patient}/",
        expect(anon=302, staff_a=200, other_clinician=404, default=403),
    ),
    Route(
        "visits:outside_new",
        "GET",
        "/visits/patient/{patient}/outside/new/",
        expect(
            anon=302,
            nurse=200,
            clinician=200,
            injector=200,
            coordinator=403,
            admin=403,
            patient=403,
            default=404,
        ),
    ),
    Route(
        "visits:detail",
        "GET",
        V,
        expect(anon=302, nurse=302, clinician=302, injector=302, coordinator=200, admin=200, default=404),
    ),
    Route("visits:screening", "GET", V + "screening/", expect(**PREP)),
    Route("visits:consent", "GET", V + "consent/", expect(**PREP)),
    Route("visits:chart", "GET", V + "chart/", expect(**PREP)),
    Route("visits:check", "POST", V + "check/", expect(**PREP)),
    Route("visits:vials", "GET", V + "vials/", expect(**PREP)),
    Route(
        "visits:vial_remove",
        "POST",
        "/visits/{visit2}/vials/{vial_use}/remove/",
        expect(**{**PREP, "nurse": 302, "clinician": 302, "injector": 302}),
    ),
    Route("visits:sign", "GET", V + "sign/", expect(**PREP)),
    Route(
        "visits:amend",
        "GET",
        "/visits/{signed_visit}/amend/",
        expect(anon=302, clinician=200, injector=200, nurse=403, coordinator=403, admin=403, default=404),
    ),
    Route("visits:note", "GET", "/visits/{signed_visit}/notes/1/", expect(**READ_A)),
    Route("visits:note_pdf", "GET", "/visits/{signed_visit}/notes/1/pdf/", expect(**READ_A)),
    # API
    Route("api:list_visits", "GET", "/api/v1/visits", expect(**STAFF_LIST_API)),
    Route(
        "api:create_visit",
        "POST",
        "/api/v1/visits",
        expect(
            anon=401, nurse=201, clinician=201, injector=201, other_clinician=404, default=403, **ROLE_FIRST_B
        ),
        body={
            "patient": FIXED_PATIENT,
            "visit_date": dt.date.today().isoformat(),
            "indication": "chronic_migraine",
            "product": "botox",
        },
    ),
    Route("api:list_billing_lines", "GET", "/api/v1/visits/billing", expect(**STAFF_LIST_API)),
    Route("api:read_visit", "GET", A, expect(**READ_A_API)),
    Route(
        "api:update_visit", "PATCH", A, expect(**PREP_API), body={"version": 1, "notes": "Tolerated well."}
    ),
    Route("api:read_screening", "GET", A + "/screening", expect(**READ_A_API)),
    Route(
        "api:save_screening",
        "PUT",
        A + "/screening",
        expect(**PREP_API),
        body={"version": 1, "answers": dict.fromkeys(SCREENING_KEYS, False)},
    ),
    Route(
        "api:save_consent",
        "PUT",
        A + "/consent",
        expect(**PREP_API),
        body={
            "version": 1,
            "discussed_benefits": True,
            "discussed_common_effects": True,
            "discussed_serious_effects": True,
            "discussed_alternatives": True,
            "consenter_name": "The patient",
            "consented_at": NOW,
        },
    ),
    Route(
        "api:apply_protocol",
        "POST",
        A + "/protocol",
        expect(**PREP_API),
        body={"version": 1, "protocol": "preempt"},
    ),
    Route(
        "api:save_injections",
        "PUT",
        A + "/injections",
        expect(**PREP_API),
        body={
            "version": 1,
            "sites": [{"site_id": "procerus_midline_1", "muscle": "procerus", "side": "midline", "units": 5}],
        },
    ),
    Route("api:check_injections", "POST", A + "/check", expect(**PREP_API), body={}),
    Route(
        "api:add_vial_use",
        "POST",
        A + "/vials",
        expect(**{**PREP_API, "nurse": 201, "clinician": 201, "injector": 201}),
        body={
            "version": 1,
            "vial": FIXED_VIAL,
            "diluent_ml": 2,
            "reconstituted_at": NOW,
            "units_administered": 95,
            "units_discarded": 5,
        },
    ),
    Route(
        "api:remove_vial_use",
        "DELETE",
        "/api/v1/visits/{visit2}/vials/{vial_use}?version=1",
        expect(**PREP_API),
    ),
    Route(
        "api:sign_visit",
        "POST",
        "/api/v1/visits/{ready_visit}/signature",
        expect(**SIGNERS_API),
        body={"version": 6, "acknowledge_warnings": True},
    ),
    Route(
        "api:amend_visit",
        "POST",
        "/api/v1/visits/{signed_visit}/amendments",
        expect(**SIGNERS_API),
        body={"version": 7, "reason": "Typo in the note", "notes": "Corrected note."},
    ),
    Route("api:list_note_versions", "GET", "/api/v1/visits/{signed_visit}/notes", expect(**READ_A_API)),
    Route("api:read_note_version", "GET", "/api/v1/visits/{signed_visit}/notes/1", expect(**READ_A_API)),
    Route("api:note_version_pdf", "GET", "/api/v1/visits/{signed_visit}/notes/1/pdf", expect(**READ_A_API)),
    Route(
        "api:list_outside_injections",
        "GET",
        "/api/v1/visits/patients/{patient}/outside-injections",
        expect(anon=401, staff_a=200, patient=403, default=404),
    ),
    Route(
        "api:create_outside_injection",
        "POST",
        "/api/v1/visits/patients/{patient}/outside-injections",
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
        body={
            "given_on": "2025-06-01",
            "product": "botox",
            "units": 20,
            "indication": "cosmetic",
            "where": "High Street Aesthetics",
        },
    ),
    # inventory
    Route("inventory:stock", "GET", "/inventory/", expect(**STAFF_LIST)),
    Route("inventory:receive", "GET", "/inventory/receive/", expect(**STOCKERS)),
    Route("inventory:reconcile", "GET", "/inventory/reconcile/", expect(**STOCKERS)),
    Route("inventory:recall_search", "GET", "/inventory/recall/", expect(**STAFF_LIST)),
    Route(
        "inventory:recipients",
        "GET",
        "/inventory/lots/{lot}/recipients/",
        expect(anon=302, staff_a=200, other_clinician=404, default=403),
    ),
    Route("api:list_stock", "GET", "/api/v1/stock", expect(**STAFF_LIST_API)),
    Route("api:list_expiring_stock", "GET", "/api/v1/stock/expiring", expect(**STAFF_LIST_API)),
    Route("api:list_vials", "GET", "/api/v1/vials", expect(**STAFF_LIST_API)),
    Route(
        "api:receive_vials",
        "POST",
        "/api/v1/vials",
        expect(
            anon=401,
            nurse=201,
            clinician=201,
            injector=201,
            admin=201,
            other_clinician=422,  # the location in the body is clinic A's: a field error, nothing received
            other_coordinator=403,
            default=403,
        ),
        body={
            "product": "botox",
            "ndc": "0023-1145-01",
            "lot_number": "NEW123",
            "expiry_date": "2099-01-31",
            "count": 2,
            "size_units": 100,
            "location": FIXED_LOC,
        },
    ),
    Route(
        "api:read_vial",
        "GET",
        "/api/v1/vials/{vial}",
        expect(anon=401, staff_a=200, other_clinician=404, default=403),
    ),
    Route("api:list_lots", "GET", "/api/v1/lots", expect(**STAFF_LIST_API)),
    Route(
        "api:lot_recipients",
        "GET",
        "/api/v1/lots/{lot}/recipients",
        expect(anon=401, staff_a=200, other_clinician=404, default=403),
    ),
    Route(
        "api:reconcile_stock",
        "POST",
        "/api/v1/reconciliations",
        expect(
            anon=401,
            nurse=201,
            clinician=201,
            injector=201,
            admin=201,
            other_clinician=404,
            other_coordinator=403,
            default=403,
        ),
        body={"location": FIXED_LOC, "counts": [{"lot": RECON_LOT, "size_units": 100, "counted": 3}]},
    ),
    Route("api:list_reconciliations", "GET", "/api/v1/reconciliations", expect(**STAFF_LIST_API)),
    # scheduling
    Route("scheduling:recalls", "GET", "/scheduling/recalls/", expect(**STAFF_LIST)),
    Route("api:list_recalls", "GET", "/api/v1/recalls", expect(**STAFF_LIST_API)),
]


def path_keys(world: Any) -> dict[str, str]:
    """Clinic A objects: a fresh draft (version 1), a draft with a vial on it, a visit ready to sign
    (version 6), a signed visit (version 7), lots and vials with fixed ids for the request bodies."""
    from django.utils import timezone

    from toxinclinic.accounts.models import Location
    from toxinclinic.inventory.models import Lot, Vial, VialStatus
    from toxinclinic.patients.models import Patient
    from toxinclinic.visits import services as svc
    from toxinclinic.visits.models import VialUse, Visit
    from toxinclinic.visits.tests.helpers import quick_ready_visit

    clinic, nurse = world.clinic, world.user("nurse")
    today = timezone.localdate()
    loc = Location.objects.create(public_id=uuid.UUID(FIXED_LOC), clinic=clinic, name="Main")
    Patient.objects.create(
        public_id=uuid.UUID(FIXED_PATIENT),
        clinic=clinic,
        mrn="FX1",
        first_name="Zed",
        last_name="Fixture",
        date_of_birth=dt.date(1980, 1, 1),
        enrolled_on=dt.date(2025, 1, 1),
    )

    def draft(patient: Any) -> Visit:
        return Visit.objects.create(
            clinic=clinic,
            patient=patient,
            visit_date=today,
            indication="chronic_migraine",
            product="botox",
            created_by=nurse,
        )

    visit = draft(world.patient)
    Visit.objects.filter(pk=visit.pk).update(notes=f"Tolerated well. {MARK_ADA}")
    lot = Lot.objects.create(
        clinic=clinic,
        product="botox",
        ndc="0023-1145-01",
        lot_number="AUTHZ1",
        expiry_date=today + dt.timedelta(200),
    )
    vial = Vial.objects.create(
        public_id=uuid.UUID(FIXED_VIAL), clinic=clinic, lot=lot, location=loc, size_units=100
    )
    visit2 = draft(world.patient2)
    opened = Vial.objects.create(
        clinic=clinic,
        lot=lot,
        location=loc,
        size_units=100,
        status=VialStatus.OPENED,
        reconstituted_at=timezone.now(),
        diluent_ml=Decimal(2),
    )
    use = VialUse.objects.create(
        visit=visit2, vial=opened, units_administered=100, units_discarded=0, recorded_by=nurse
    )
    ready = quick_ready_visit(world)
    signed = quick_ready_visit(world, patient=world.patient2)
    Visit.objects.filter(pk=signed.pk).update(notes=f"No bruising. {MARK_GRACE}")
    signed.refresh_from_db()
    svc.sign_visit(signed, world.user("clinician"), expected_version=signed.version)
    recon = Lot.objects.create(
        public_id=uuid.UUID(RECON_LOT),
        clinic=clinic,
        product="botox",
        ndc="0023-1145-01",
        lot_number="RECON1",
        expiry_date=today + dt.timedelta(300),
    )
    Vial.objects.bulk_create([Vial(clinic=clinic, lot=recon, location=loc, size_units=100) for _ in range(3)])
    signed_lot = signed.vial_uses.first().vial.lot
    return {
        "visit": str(visit.public_id),
        "visit2": str(visit2.public_id),
        "vial_use": str(use.public_id),
        "ready_visit": str(ready.public_id),
        "signed_visit": str(signed.public_id),
        "lot": str(signed_lot.public_id),
        "vial": str(vial.public_id),
    }

"""Builders for the FHIR tests: a chart with something of every resource, a registered backend client
with its own key pair, and a token got the way a backend client gets one (a signed JWT assertion)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from toxinclinic.fhir.models import BackendClient
from toxinclinic.testing import today

TOKEN_PATH = "/fhir/R4/auth/token"


def make_client(
    clinic: Any, *, scopes: str = "system/*.read", patient: Any = None, kind: str = "EC", name: str = "EHR"
) -> tuple[BackendClient, Any]:
    """A registered client and its private key (ES384 on P-384, or RS384 on RSA 2048)."""
    key = ECKey.generate_key("P-384") if kind == "EC" else RSAKey.generate_key(2048)
    public = key.as_dict(private=False)
    public["kid"] = "k1"
    public["alg"] = "ES384" if kind == "EC" else "RS384"
    client = BackendClient.objects.create(
        clinic=clinic, name=name, jwks={"keys": [public]}, scopes=scopes, patient=patient
    )
    return client, key


def assertion(
    client: BackendClient, key: Any, audience: str, *, exp_in: int = 240, jti: str | None = None
) -> str:
    alg = "ES384" if isinstance(key, ECKey) else "RS384"
    now = int(time.time())
    claims = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": audience,
        "exp": now + exp_in,
        "jti": jti or uuid.uuid4().hex,
    }
    return jwt.encode({"alg": alg, "kid": "k1", "typ": "JWT"}, claims, key, algorithms=[alg])


def token_form(
    client: BackendClient, key: Any, audience: str, scope: str = "system/*.read", **kw: Any
) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(client, key, audience, **kw),
    }


def get_token(http: Any, client: BackendClient, key: Any, scope: str = "system/*.read") -> str:
    """Through the real token endpoint, with Django's test client (``http``)."""
    r = http.post(TOKEN_PATH, token_form(client, key, f"http://testserver{TOKEN_PATH}", scope))
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


def full_chart(world: Any, patient: Any = None) -> dict[str, Any]:
    """Something of every resource for ``patient``: an indication, an allergy, a medicine, a preventive
    trial, diary days (and so a month), a questionnaire, a signed visit with sites and vials, an adverse
    event."""
    from toxinclinic.diary import services as diary
    from toxinclinic.outcomes.services import submit
    from toxinclinic.patients.models import Allergy, Medication, PatientIndication, PreventiveTrial
    from toxinclinic.safety.models import AdverseEvent
    from toxinclinic.treatment.models import TreatmentSession
    from toxinclinic.visits import services as visits
    from toxinclinic.visits.tests.helpers import prepared_visit

    p = patient or world.patient
    out: dict[str, Any] = {}
    out["condition"] = PatientIndication.objects.create(
        patient=p, indication="chronic_migraine", icd10="G43.709", diagnosed_on=dt.date(2024, 5, 1)
    )
    out["allergy"] = Allergy.objects.create(
        patient=p, substance="Albumin", botulinum_toxin=True, severity="severe"
    )
    out["medication"] = Medication.objects.create(
        patient=p, name="Apixaban", drug_class="anticoagulant", dose="5 mg"
    )
    out["preventive"] = PreventiveTrial.objects.create(
        patient=p,
        drug="Topiramate",
        drug_class="anticonvulsant",
        outcome="not_tolerated",
        started_on=dt.date(2024, 1, 1),
    )
    d = today() - dt.timedelta(days=3)
    p.enrolled_on = d - dt.timedelta(days=30)
    p.save()
    for i in range(3):
        clean = diary.validate_day(
            p,
            d + dt.timedelta(days=i),
            diary.DayInput(
                headache=True,
                duration_hours=8,
                severity="severe",
                features={"unilateral": True, "pulsating": True, "nausea": True},
            ),
            today=d + dt.timedelta(days=i),
        )
        diary.save_day(p, clean, actor=None)
    out["questionnaire"] = submit(
        p, "midas", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "a": 1, "b": 1}, actor=None
    )
    v = prepared_visit(world, patient=p)
    visits.sign_visit(v, world.user("clinician"), expected_version=v.version)
    v.refresh_from_db()
    out["visit"] = v
    out["adverse_event"] = AdverseEvent.objects.create(
        patient=p,
        clinic=p.clinic,
        term="Neck pain",
        severity="mild",
        onset_day=2,
        outcome="recovered",
        # Signing records the session on commit; inside a test's transaction it is made here.
        session=TreatmentSession.objects.get_or_create(
            visit_id=v.public_id,
            defaults={
                "patient": p,
                "clinic": p.clinic,
                "injected_on": v.visit_date,
                "product": v.product,
                "indication": v.indication,
                "total_units": float(v.total_units or 0),
            },
        )[0],
    )
    out["appointment"] = appointment(world, p)
    return out


def appointment(world: Any, patient: Any, *, days: int = 7, status: str = "booked", **kw: Any) -> Any:
    """A booked time with the clinic's clinician at the visit's location, ``days`` from now."""
    from django.utils import timezone

    from toxinclinic.scheduling.models import Appointment
    from toxinclinic.visits.tests.helpers import location

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return Appointment.objects.create(
        clinic=patient.clinic,
        patient=patient,
        clinician=world.user("clinician"),
        location=kw.pop("location", None) or location(patient.clinic, "Appointments"),
        kind=kw.pop("kind", "injection"),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        status=status,
        **kw,
    )

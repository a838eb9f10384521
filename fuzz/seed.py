"""The fuzzed database: the demo clinic (``demo_seed``), one bearer token per role, FHIR access tokens, and
the real ids schemathesis mixes into path and query parameters.

Runs inside the fuzz driver's Django process (``django.setup()`` done by the caller), against the same
database the server subprocess serves. Tokens are issued through the models' own ``issue`` (the rows a
self-service issue makes, second factor recorded as passed), FHIR tokens as registered backend clients'
access tokens (``AccessToken.new_secret``) that live as long as the run instead of five minutes.
"""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

#: Role -> demo username (the injector is a clinician who is not a prescriber).
ROLES: dict[str, str] = {
    "patient": "patient",
    "nurse": "nurse",
    "clinician": "clinician",
    "injector": "injector",
    "coordinator": "coordinator",
    "admin": "admin",
}


class NotAFuzzDatabase(Exception):
    pass


#: The clinics ``demo_seed`` creates: the only ones a database to fuzz may already hold.
DEMO_CLINICS = ("Harbour Neurology Clinic", "Northgate Headache Center")


def seed_database(patients: int, seed: int) -> None:
    """Migrate, then replace everything with the demo clinic: refused on a database that holds any other
    clinic than the demo's own (the fuzzer writes and flushes; it must never meet real records)."""
    from toxinclinic.accounts.models import Clinic

    call_command("migrate", interactive=False, verbosity=0)
    others = list(Clinic.objects.exclude(name__in=DEMO_CLINICS).values_list("name", flat=True)[:3])
    if others:
        raise NotAFuzzDatabase(f"This database holds other clinics ({', '.join(others)}); fuzz a fresh one.")
    call_command("demo_seed", patients=patients, seed=seed, reset=True, verbosity=0)


def issue_tokens(hours: float = 12.0) -> dict[str, str]:
    """A live bearer token per role of ``ROLES``, and a SMART access token for the FHIR callers (a
    read-only system client of the demo clinic, ``fhir-system``; the demo patient's own app,
    ``fhir-patient``), raw (``caller -> token``)."""
    from toxinclinic.accounts.models import ApiToken, User
    from toxinclinic.demo.management.commands.demo_seed import DEMO_CLINIC
    from toxinclinic.fhir.models import AccessToken, BackendClient
    from toxinclinic.patients.models import Patient

    expires = timezone.now() + dt.timedelta(hours=hours)
    out: dict[str, str] = {}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        _, raw = ApiToken.issue(user, "fuzz", second_factor=True, expires_at=expires)
        out[role] = raw
    patient_user = User.objects.get(username=ROLES["patient"])
    own = Patient.objects.get(user=patient_user)
    clinic = own.clinic
    assert clinic.name == DEMO_CLINIC
    clients = {
        "fhir-system": BackendClient.objects.create(
            clinic=clinic, name="Fuzz system client", jwks={"keys": []}, scopes="system/*.read"
        ),
        "fhir-patient": BackendClient.objects.create(
            clinic=clinic, name="Fuzz patient app", jwks={"keys": []}, scopes="patient/*.read", patient=own
        ),
    }
    for name, client in clients.items():
        raw, digest = AccessToken.new_secret()
        AccessToken.objects.create(client=client, digest=digest, scopes=client.scopes, expires_at=expires)
        out[name] = raw
    return out


#: Path and query parameter names of the API -> the models whose public ids they take.
ID_SOURCES: dict[str, tuple[str, ...]] = {
    "patient_id": ("patients.Patient",),
    "patient": ("patients.Patient",),
    "record_id": (
        "patients.PatientIndication",
        "patients.Allergy",
        "patients.Medication",
        "patients.HistoryItem",
        "patients.PreventiveTrial",
    ),
    "public_id": ("scheduling.Appointment",),
    "check_in_id": ("safety.CheckIn",),
    "auth_id": ("coverage.PriorAuthorization",),
    "authorization": ("coverage.PriorAuthorization",),
    "lot_id": ("inventory.Lot",),
    "item_id": ("safety.TriageItem",),
    "vial_id": ("inventory.Vial",),
    "visit_id": ("visits.Visit",),
    "use_id": ("visits.VialUse",),
}


def real_ids() -> dict[str, list[str]]:
    """Public ids of real rows by parameter name (``ID_SOURCES``): for models with a patient the demo
    patient's own rows first (so the patient role meets its own records), then a few of others'."""
    from django.apps import apps

    from toxinclinic.education.models import TreatmentPage
    from toxinclinic.patients.models import Patient

    own = Patient.objects.get(user__username=ROLES["patient"])
    out: dict[str, list[str]] = {}
    for param, labels in ID_SOURCES.items():
        ids: list[str] = []
        for label in labels:
            model = apps.get_model(label)
            qs = model._default_manager.order_by("pk")
            if label == "patients.Patient":
                ids.append(str(own.public_id))
            elif any(f.name == "patient" for f in model._meta.get_fields()):
                ids += [str(u) for u in qs.filter(patient=own).values_list("public_id", flat=True)[:3]]
            ids += [str(u) for u in qs.values_list("public_id", flat=True)[:4]]
        ids = list(dict.fromkeys(ids))
        if ids:
            out[param] = ids
    out["slug"] = list(TreatmentPage.objects.values_list("slug", flat=True)[:3])
    return {k: v for k, v in out.items() if v}

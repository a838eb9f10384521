"""The authorization sweep: every URL and API operation × every role in clinic A, anonymous, another
patient (same clinic and another clinic) and another clinic's staff of every role, with real ids.

Route tables live beside each app's tests (``authz_routes.py``); ``test_every_route_is_in_the_matrix``
fails when a new URL pattern or API operation is added without a row.

For each request: the status is the row's; an outsider's answer (any status, redirects and downloads
included) carries none of the facts of clinic A's patients (``authz_leaks``); an outsider's write changes
nothing of theirs (a refused write changes no row at all) and no outsider request adds an audit event
about them. API rows run twice per role: with the session and with the role's bearer token.

One world per module: it is built once inside a transaction, and every request runs in a savepoint
rolled back after it, so each request meets the same records (the sweep's cost is its requests).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

import toxinclinic
from toxinclinic.core.tests import authz_leaks as L
from toxinclinic.core.tests.authz import ALL_ROLES, OTHER_STAFF, OUTSIDERS, STAFF_A, Route


def _route_modules() -> list[Any]:
    mods = []
    for mod in pkgutil.iter_modules(toxinclinic.__path__):
        try:
            mods.append(importlib.import_module(f"toxinclinic.{mod.name}.tests.authz_routes"))
        except ModuleNotFoundError:
            continue
    return mods


ROUTES: list[Route] = [r for m in _route_modules() for r in m.ROUTES]
#: FHIR answers SMART backend tokens only: its rows' roles are SMART identities (fhir/tests/authz_routes.py).
SMART_ROUTES: list[Route] = [r for m in _route_modules() for r in getattr(m, "SMART_ROUTES", [])]
SMART_AS: dict[str, str] = next(m.SMART_AS for m in _route_modules() if hasattr(m, "SMART_AS"))
SUMMARY = Path(settings.BASE_DIR) / "var" / "test-output" / "authz-sweep.json"
#: The target patients' seeded facts (see ``mark_patients``).
ADA = dict(mrn="QZA001", phone="(617) 555-0142", email="ada.qz7731@example.net", dob=dt.date(1931, 7, 9))
GRACE = dict(
    mrn="QZA002", phone="(617) 555-0187", email="grace.qz8842@example.net", dob=dt.date(1942, 11, 23)
)
MARK_ADA, MARK_GRACE = L.MARK_ADA, L.MARK_GRACE


def fill(path: str, keys: dict[str, str]) -> str:
    return path.format(**keys)


def mark_patients(world: Any) -> None:
    """Clinic A's two patients get facts no other page could show by chance."""
    for p, f in ((world.patient, ADA), (world.patient2, GRACE)):
        p.mrn, p.phone, p.email, p.date_of_birth = f["mrn"], f["phone"], f["email"], f["dob"]
        p.save()
        # Their portal logins carry their names and e-mail too (the user admin, "signed in as" lines).
        u = p.user
        u.first_name, u.last_name, u.email = p.first_name, p.last_name, p.email
        u.save()


def build_keys(world: Any) -> dict[str, str]:
    from toxinclinic.patients.models import (
        Allergy,
        HistoryItem,
        Medication,
        PatientIndication,
        PreventiveTrial,
    )

    p = world.patient
    allergy = Allergy.objects.create(patient=p, substance=f"Peanut {MARK_ADA}", severity="mild")
    out = {
        "patient": str(p.public_id),
        "patient2": str(world.patient2.public_id),
        "other_patient": str(world.other_patient.public_id),
        "allergy": str(allergy.public_id),
        "allergies_record": str(allergy.public_id),
        "indications_record": str(
            PatientIndication.objects.create(
                patient=p, indication="chronic_migraine", icd10="G43.709"
            ).public_id
        ),
        "medications_record": str(
            Medication.objects.create(
                patient=p, name=f"Sumatriptan {MARK_ADA}", drug_class="triptan"
            ).public_id
        ),
        "history_record": str(
            HistoryItem.objects.create(patient=p, condition="pregnancy", details=MARK_ADA).public_id
        ),
        "preventives_record": str(
            PreventiveTrial.objects.create(
                patient=p, drug="Propranolol", drug_class="beta_blocker", outcome="ineffective"
            ).public_id
        ),
    }
    from toxinclinic.audit.services import log_action

    # An audit event about the patient naming them (the audit screens and the admin's audit list).
    ev = log_action(
        "patient.updated",
        actor=world.user("nurse"),
        obj=p,
        clinic_id=p.clinic_id,
        patient_id=p.pk,
        data={"note": f"{p.full_name} {MARK_ADA}"},
    )
    out["audit_event_pk"] = str(ev.pk)
    out["patient_user_pk"] = str(world.user("patient").pk)
    # Apps register extra fixtures for their own path keys.
    for m in _route_modules():
        if hasattr(m, "path_keys"):
            out.update(m.path_keys(world))
    return out


@dataclass
class Sweep:
    world: Any
    keys: dict[str, str]
    sessions: dict[str, str]
    tokens: dict[str, str]
    smart_tokens: dict[str, str]
    facts: dict[str, list[L.Facts]]
    baseline: dict[str, tuple[int, str]]
    baseline_targets: dict[str, dict[str, tuple[int, str]]]
    audit_max: int
    stats: Counter[str] = field(default_factory=Counter)
    leaks: list[str] = field(default_factory=list)
    #: Rows whose answer to clinic A's own staff shows a target patient's facts: there, a scoping slip
    #: would put those facts in front of an outsider and the leak check would see it.
    shows_facts: set[str] = field(default_factory=set)

    def client(self, role: str, credential: str) -> tuple[Client, dict[str, str]]:
        c = Client()
        if credential == "session" and role != "anon":
            c.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        headers = {}
        if credential == "bearer":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens.get(role, 'tc_not-a-live-token')}"
        if credential == "smart":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.smart_tokens.get(role, 'fhir_not-a-live-token')}"
        return c, headers

    def check(self, route: Route, role: str, credential: str) -> list[str]:
        """One request in a savepoint rolled back after it; what went wrong, as sentences."""
        from toxinclinic.audit.models import AuditEvent

        url = fill(route.path, self.keys)
        kwargs: dict[str, Any] = {}
        if route.body is not None:
            kwargs = {"data": json.dumps(route.body), "content_type": "application/json"}
        who = f"{route.method} {route.path} as {role} ({credential})"
        problems: list[str] = []
        with transaction.atomic():
            cache.clear()
            client, headers = self.client(role, credential)
            response = getattr(client, route.method.lower())(url, **kwargs, **headers)
            self.stats["requests"] += 1
            self.stats[f"requests_{credential}"] += 1
            expected = route.expected[role]
            if response.status_code != expected:
                problems.append(f"{who}: got {response.status_code}, expected {expected}")
            person = SMART_AS.get(role, role)
            if person in STAFF_A and response.status_code < 300:
                if L.leaks(L.response_text(response), self.facts["anon"]):
                    self.shows_facts.add(f"{route.method} {route.path}")
            if person in OUTSIDERS:
                self.stats["outsider_requests"] += 1
                facts = self.facts[person]
                found = L.leaks(L.response_text(response), facts, sent=url + kwargs.get("data", ""))
                if found:
                    line = f"{who} -> {response.status_code}: LEAK {', '.join(found)}"
                    self.leaks.append(line)
                    problems.append(line)
                pks = [f.pk for f in facts]
                events = list(
                    AuditEvent.objects.filter(id__gt=self.audit_max, patient_id__in=pks).values_list(
                        "action", flat=True
                    )
                )
                if events:
                    problems.append(f"{who}: audit events about the target patients: {events}")
                if route.method != "GET":
                    self.stats["outsider_writes"] += 1
                    refused = response.status_code >= 400 or person == "anon"
                    if refused:
                        diff = L.changed(self.baseline, L.fingerprint())
                    else:
                        diff = L.changed(self.baseline_targets[person], L.fingerprint(pks))
                    if diff:
                        problems.append(f"{who} -> {response.status_code}: changed {diff}")
            transaction.set_rollback(True)
        return problems


def _credentials(route: Route) -> list[str]:
    # API operations answer a bearer token as well as the session; anonymous sends a dead token.
    return ["session", "bearer"] if route.path.startswith("/api/") else ["session"]


@pytest.fixture(scope="module")
def sweep(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Sweep]:
    from conftest import build_world
    from toxinclinic.accounts.models import ApiToken, Role, User
    from toxinclinic.audit.models import AuditEvent

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tempfile.TemporaryDirectory(prefix="authz-sweep-")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, MEDIA_ROOT=str(Path(media.name) / "media")),
        transaction.atomic(),
    ):
        world = build_world()
        b = world.other_clinic
        roles = {
            "other_nurse": (Role.NURSE, False),
            "other_injector": (Role.CLINICIAN, False),
            "other_coordinator": (Role.COORDINATOR, False),
            "other_admin": (Role.ADMIN, False),
        }
        for name, (role, prescriber) in roles.items():
            world.users[name] = User.objects.create_user(
                username=name, password=None, role=role, clinic=b, is_prescriber=prescriber,
                first_name=name.title(), last_name="Tester",
            )  # fmt: skip
        mark_patients(world)
        keys = build_keys(world)
        sessions, tokens = {}, {}
        for role in ALL_ROLES:
            if role == "anon":
                continue
            c = Client()
            c.force_login(world.user(role), backend="django.contrib.auth.backends.ModelBackend")
            sessions[role] = c.cookies[settings.SESSION_COOKIE_NAME].value
            tokens[role] = ApiToken.issue(world.user(role), "authz sweep", second_factor=True)[1]
        smart_tokens = _smart_tokens(world)
        ada = L.patient_facts(world.patient, [MARK_ADA])
        grace = L.patient_facts(world.patient2, [MARK_GRACE])
        facts = {r: ([ada] if r == "patient2" else [ada, grace]) for r in OUTSIDERS}
        s = Sweep(
            world=world,
            keys=keys,
            sessions=sessions,
            tokens=tokens,
            smart_tokens=smart_tokens,
            facts=facts,
            baseline=L.fingerprint(),
            baseline_targets={r: L.fingerprint([f.pk for f in facts[r]]) for r in OUTSIDERS},
            audit_max=AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        )
        yield s
        transaction.set_rollback(True)
    media.cleanup()
    _write_summary(s)


def _smart_tokens(world: Any) -> dict[str, str]:
    """A live token per SMART identity, got through the real token endpoint; each is made to outlive
    the module's run (a token lives five minutes, the sweep can take longer on a loaded machine)."""
    from django.utils import timezone

    from toxinclinic.fhir.models import AccessToken
    from toxinclinic.fhir.tests.helpers import get_token, make_client

    http = Client()
    clients = {
        "smart_a": make_client(world.clinic, name="Clinic A EHR"),
        "smart_b": make_client(world.other_clinic, name="Clinic B EHR"),
        "smart_patient2": make_client(
            world.clinic, scopes="patient/*.read", patient=world.patient2, name="Grace's app"
        ),
        "smart_other_patient": make_client(
            world.other_clinic, scopes="patient/*.read", patient=world.other_patient, name="Mary's app"
        ),
    }
    out = {}
    for name, (client, key) in clients.items():
        scope = "patient/*.read" if client.patient_id else "system/*.read"
        out[name] = get_token(http, client, key, scope)
    AccessToken.objects.update(expires_at=timezone.now() + dt.timedelta(hours=2))
    return out


def _write_summary(s: Sweep) -> None:
    """The figures docs/reliability.md quotes ("Authorization sweep"), from the last run."""
    from django.db import connection

    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    rows = {}
    if SUMMARY.exists():
        rows = json.loads(SUMMARY.read_text())
    rows[connection.vendor] = {
        **s.stats,
        "leaks": len(s.leaks),
        "leak_lines": s.leaks,
        "rows_showing_facts_to_clinic_a": len(s.shows_facts),
    }
    SUMMARY.write_text(json.dumps(rows, indent=1, sort_keys=True))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.name}")
def test_matrix(route: Route, sweep: Sweep) -> None:
    problems: list[str] = []
    for role in ALL_ROLES:
        for credential in _credentials(route):
            problems += sweep.check(route, role, credential)
    sweep.stats["routes"] += 1
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", SMART_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_smart_matrix(route: Route, sweep: Sweep) -> None:
    problems: list[str] = []
    for identity in SMART_AS:
        problems += sweep.check(route, identity, "smart")
    sweep.stats["routes"] += 1
    assert not problems, "\n".join(problems)


def test_other_clinic_has_staff_of_every_role(sweep: Sweep) -> None:
    got = {r: sweep.world.user(r) for r in OTHER_STAFF}
    assert {u.clinic_id for u in got.values()} == {sweep.world.other_clinic.pk}
    assert {u.role for u in got.values()} == {"nurse", "clinician", "coordinator", "admin"}
    assert got["other_clinician"].is_prescriber and not got["other_injector"].is_prescriber


def _url_names(patterns: Any, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            if p.namespace and (p.namespace.startswith("api-") or p.namespace == "admin"):
                continue  # API operations are checked against the OpenAPI document; admin has its own auth
            names |= _url_names(p.url_patterns, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_route_is_in_the_matrix() -> None:
    from toxinclinic.api.main import api

    covered = {r.name for r in ROUTES}
    missing_urls = _url_names(get_resolver().url_patterns) - covered
    assert not missing_urls, f"URL names without an authorization row: {sorted(missing_urls)}"
    schema = api.get_openapi_schema()
    op_ids = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    missing_ops = {f"api:{o}" for o in op_ids} - covered
    assert not missing_ops, f"API operations without an authorization row: {sorted(missing_ops)}"


# --- the detector can fail ---------------------------------------------------------------------------


def test_detector_finds_a_planted_fact_in_every_part_of_a_response() -> None:
    from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
    from weasyprint import HTML

    class P:
        pk, first_name, last_name, mrn = 1, "Ada", "Lovelace", "QZA001"
        email, phone, date_of_birth = ADA["email"], ADA["phone"], ADA["dob"]
        full_name = "Ada Lovelace"

    facts = [L.patient_facts(P, [MARK_ADA])]
    clean = HttpResponse("<h1>No such patient.</h1>", status=404)
    assert L.leaks(L.response_text(clean), facts) == []
    download = HttpResponse(b"x", content_type="text/csv")
    download["Content-Disposition"] = 'attachment; filename="note-QZA001.csv"'
    planted = {
        "html": HttpResponse("<td>LOVELACE, Ada</td>", status=404),
        "json": JsonResponse({"born": "1931-07-09"}, status=403),
        "locale date": HttpResponse("Born July 9, 1931"),
        "redirect": HttpResponseRedirect("/x/?next=ada.qz7731%40example.net"),
        "file name": download,
        "streamed file": FileResponse(iter([b"BEGIN:VCALENDAR\nSUMMARY:call 617-555-0142\n"])),
        "pdf": HttpResponse(HTML(string=f"<p>{MARK_ADA}</p>").write_pdf(), content_type="application/pdf"),
    }
    for kind, response in planted.items():
        assert L.leaks(L.response_text(response), facts), f"the detector missed a leak in the {kind}"
    # What the request itself carried is an echo, not a leak.
    echo = HttpResponse("No patient QZA001 here.", status=404)
    assert L.leaks(L.response_text(echo), facts, sent="/search?mrn=QZA001") == []


def test_sweep_reports_a_planted_leak_a_write_and_an_audited_read(
    sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the chart look-up's clinic check removed, the sweep's own checks fail for another clinic's
    staff: the chart's facts in the body, an audit event about the patient, a deleted allergy."""
    from dataclasses import replace

    from toxinclinic.patients import access
    from toxinclinic.patients import api as patients_api
    from toxinclinic.patients.models import Patient
    from toxinclinic.patients.services import parse_public_id

    def leaky_get_patient(user: Any, public_id: Any) -> Patient:
        return Patient.objects.select_related("clinic").get(public_id=parse_public_id(public_id))

    monkeypatch.setattr(access, "get_patient", leaky_get_patient)
    monkeypatch.setattr(patients_api, "can_edit_clinical_history", lambda user, patient: True)
    probe = replace(sweep, stats=Counter(), leaks=[])
    by_name = {(r.name, r.method): r for r in ROUTES}
    read = probe.check(by_name["patients:chart", "GET"], "other_clinician", "session")
    assert any("got 200, expected 404" in p for p in read), read
    assert any("LEAK" in p and "Lovelace" in p for p in read), read
    assert any("audit events about the target patients" in p for p in read), read
    api = probe.check(by_name["api:read_patient", "GET"], "other_nurse", "bearer")
    assert any("LEAK" in p and "1931-07-09" in p for p in api), api
    write = probe.check(by_name["api:delete_allergies", "DELETE"], "other_clinician", "bearer")
    assert any("changed" in p and "patients_allergy" in p for p in write), write
    assert probe.leaks and not sweep.leaks

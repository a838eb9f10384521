"""SMART Backend Services: client assertions (``private_key_jwt``, RS384/ES384, verified with joserfc
against the client's registered JWKS), scopes (SMART v1 ``system/Patient.read`` and v2
``system/Patient.rs``), short-lived opaque access tokens, and the replay store of assertion ids."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from toxinclinic.core.rawsql import Table
from toxinclinic.fhir.models import AccessToken, BackendClient, UsedAssertion

ALGORITHMS = ["RS384", "ES384"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_SECONDS = 300
#: An assertion may live at most this long (SMART: no more than five minutes).
MAX_ASSERTION_SECONDS = 300
_SCOPE = re.compile(r"^(system|patient|user)/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|[cruds]+)$")


class TokenError(Exception):
    """An OAuth error answer: ``error`` code (RFC 6749 §5.2) and a sentence saying what to do."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class Scope:
    context: str
    resource: str
    read: bool
    search: bool
    write: bool = False

    def covers(self, resource_type: str, *, search: bool = False) -> bool:
        return self.resource in ("*", resource_type) and (self.search if search else self.read)

    def covers_write(self, resource_type: str) -> bool:
        return self.resource in ("*", resource_type) and self.write


def parse_scope(text: str) -> Scope | None:
    """A SMART scope, or None when it is not one this server understands (e.g. ``launch``)."""
    m = _SCOPE.match(text.split("?", 1)[0])
    if not m:
        return None
    context, resource, perm = m.groups()
    if perm == "read":
        return Scope(context, resource, True, True)
    if perm == "*":
        return Scope(context, resource, True, True, True)
    if perm == "write":
        return Scope(context, resource, False, False, True)
    return Scope(context, resource, "r" in perm, "s" in perm, "c" in perm or "u" in perm)


def grantable(asked: str, allowed: str, *, patient_client: bool) -> list[str]:
    """The asked scopes this client may have: each inside one of its allowed scopes (a write scope only
    if the clinic admin registered one: clients are read-only by default); a patient's client gets
    ``patient/`` scopes, a system client ``system/`` ones."""
    context = "patient" if patient_client else "system"
    allowed_scopes = [s for s in (parse_scope(a) for a in allowed.split()) if s]
    out = []
    for text in asked.split():
        s = parse_scope(text)
        if s is None or s.context != context or not (s.read or s.search or s.write):
            continue
        if any(
            a.resource in ("*", s.resource)
            and (a.read or not s.read)
            and (a.search or not s.search)
            and (a.write or not s.write)
            for a in allowed_scopes
        ):
            out.append(text)
    return out


def _registry(client_id: str, audience: str) -> jwt.JWTClaimsRegistry:
    return jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": client_id},
        sub={"essential": True, "value": client_id},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        jti={"essential": True},
    )


def issue_token(form: Any, audience: str) -> tuple[str, BackendClient, list[str]]:
    """Check a token request (``client_credentials`` + a signed client assertion) and issue a token.

    Refused (``TokenError``): a wrong grant or assertion type, an unknown or inactive client, a bad
    signature or algorithm, a wrong ``aud``, an expired assertion or one valid for more than five
    minutes, a replayed ``jti``, or no grantable scope.
    """
    if form.get("grant_type") != "client_credentials":
        raise TokenError("unsupported_grant_type", "Use grant_type=client_credentials.")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise TokenError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
    assertion = form.get("client_assertion") or ""
    try:
        client_id = _claimed_issuer(assertion)
    except ValueError as exc:
        raise TokenError("invalid_client", str(exc), 401) from exc
    client = BackendClient.objects.filter(client_id=client_id, active=True).first()
    if client is None:
        raise TokenError("invalid_client", "No active client is registered with this id.", 401)
    try:
        keys = KeySet.import_key_set(client.jwks)
        token = jwt.decode(assertion, keys, algorithms=ALGORITHMS)
        _registry(client.client_id, audience).validate(token.claims)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise TokenError("invalid_client", f"The client assertion was refused ({exc}).", 401) from exc
    exp = dt.datetime.fromtimestamp(int(token.claims["exp"]), dt.UTC)
    now = timezone.now()
    if exp - now > dt.timedelta(seconds=MAX_ASSERTION_SECONDS + 30):
        raise TokenError("invalid_client", "The assertion must expire within five minutes.", 401)
    scopes = grantable(form.get("scope") or "", client.scopes, patient_client=client.patient_id is not None)
    if not scopes:
        raise TokenError(
            "invalid_scope",
            f"None of the asked scopes is allowed; this client may ask for {client.scopes}.",
        )
    UsedAssertion.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(client=client, jti=str(token.claims["jti"])[:200], expires_at=exp)
    except IntegrityError as exc:
        raise TokenError("invalid_client", "This assertion was already used (replayed jti).", 401) from exc
    raw, digest = AccessToken.new_secret()
    AccessToken.objects.create(
        client=client,
        digest=digest,
        scopes=" ".join(scopes),
        expires_at=now + dt.timedelta(seconds=TOKEN_SECONDS),
    )
    return raw, client, scopes


def _claimed_issuer(assertion: str) -> str:
    """The ``iss`` the assertion claims, read before verifying (to find the client's keys)."""
    parts = assertion.split(".")
    if len(parts) != 3:
        raise ValueError("The client assertion is not a compact JWT.")
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError("The client assertion's payload is not JSON.") from exc
    iss = payload.get("iss") if isinstance(payload, dict) else None
    if not isinstance(iss, str) or not iss:
        raise ValueError("The client assertion has no iss.")
    return iss


@dataclass(frozen=True)
class Grant:
    """Who is asking: the client, its clinic, the one patient a patient's token is bound to, its scopes."""

    client: BackendClient
    scopes: tuple[Scope, ...]

    @property
    def clinic_id(self) -> int:
        return self.client.clinic_id

    @property
    def patient_id(self) -> int | None:
        return self.client.patient_id

    def may(self, resource_type: str, *, search: bool = False) -> bool:
        return any(s.covers(resource_type, search=search) for s in self.scopes)

    def may_write(self, resource_type: str) -> bool:
        return self.client.patient_id is None and any(s.covers_write(resource_type) for s in self.scopes)


_TOKENS = Table(AccessToken, ["id", "client_id", "scopes", "expires_at"])
_CLIENTS = Table(BackendClient)


def authenticate(header: str) -> Grant | None:
    """The grant of a ``Bearer`` token that is live, or None."""
    if not header.startswith("Bearer "):
        return None
    raw = header[7:].strip()
    # One model-shaped SELECT with the client joined (core.rawsql): this runs on every FHIR request, and
    # the ORM's queryset compile was a third of a read by id's CPU (profiled; docs/fhir.md "Speed").
    with connection.cursor() as cur:
        found = _TOKENS.select_joined(
            cur,
            ["digest"],
            [AccessToken.hash(raw)],
            _CLIENTS,
            ("client_id", "id"),
            other_where=["active"],
            other_params=[True],
        )
    if found is None or found[0]["expires_at"] <= timezone.now():
        return None
    scopes = tuple(s for s in (parse_scope(t) for t in found[0]["scopes"].split()) if s)
    return Grant(_CLIENTS.instance(found[1]), scopes)

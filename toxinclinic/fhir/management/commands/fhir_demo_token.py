"""Print a read-only FHIR token for the demo clinic: ``FHIR token: <token>``.

The demo's client is registered like any backend client (its public key in the clinic's client list);
this command signs the client's JWT assertion with the private key it keeps only in memory and gets the
token through the real token check (``smart.issue_token``). Demo tokens live ``--hours`` (default 8) so a
person can try the API during a demo; real clients' tokens live five minutes.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from toxinclinic.accounts.models import Clinic
from toxinclinic.fhir import smart
from toxinclinic.fhir.models import AccessToken, BackendClient

DEMO_CLIENT = "Demo EHR (read-only)"
AUDIENCE = "http://127.0.0.1:8000/fhir/R4/auth/token"


class Command(BaseCommand):
    help = "Print a read-only FHIR token for the demo clinic."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clinic", default="Harbour Neurology Clinic")
        parser.add_argument("--hours", type=float, default=8.0)

    def handle(self, *args: Any, **opts: Any) -> None:
        clinic = Clinic.objects.filter(name=opts["clinic"]).order_by("pk").first()
        if clinic is None:
            raise CommandError(f"No clinic named {opts['clinic']!r}; run demo_seed first.")
        key = ECKey.generate_key("P-384")
        public = key.as_dict(private=False)
        public["kid"] = uuid.uuid4().hex[:8]
        client, _ = BackendClient.objects.get_or_create(
            clinic=clinic, name=DEMO_CLIENT, defaults={"jwks": {"keys": []}, "scopes": "system/*.read"}
        )
        # A fresh key each run: the previous run's private key is gone, so its public key is replaced.
        client.jwks = {"keys": [public]}
        client.scopes = "system/*.read"
        client.save()
        now = int(time.time())
        claims = {
            "iss": client.client_id,
            "sub": client.client_id,
            "aud": AUDIENCE,
            "exp": now + 120,
            "jti": uuid.uuid4().hex,
        }
        assertion = jwt.encode({"alg": "ES384", "kid": public["kid"]}, claims, key, algorithms=["ES384"])
        form = QueryDict(mutable=True)
        form.update(
            {
                "grant_type": "client_credentials",
                "scope": "system/*.read",
                "client_assertion_type": smart.ASSERTION_TYPE,
                "client_assertion": assertion,
            }
        )
        raw, _, _ = smart.issue_token(form, AUDIENCE)
        AccessToken.objects.filter(digest=AccessToken.hash(raw)).update(
            expires_at=timezone.now() + dt.timedelta(hours=opts["hours"])
        )
        self.stdout.write(f"FHIR token: {raw}")

"""API authentication: the browser's session (with CSRF) or a bearer token for integrations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from toxinclinic.accounts import tokens
from toxinclinic.accounts.models import ApiToken, User
from toxinclinic.audit.context import RequestContext, current
from toxinclinic.core.rawsql import Table

_TOKENS = Table(ApiToken, ["id", "last_used_at", "issued_by_id", "second_factor", "expires_at"])
_USERS = Table(User)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The live token with its user in one SELECT (this runs on every bearer-token call).
        with connection.cursor() as cur:
            found = _TOKENS.select_joined(
                cur, ["digest", "revoked_at"], [ApiToken.hash(token), None], _USERS, ("user_id", "id")
            )
        if found is None or found[1] is None:
            return None
        tok, user = found[0], _USERS.instance(found[1])
        if not user.is_active:
            return None
        refused = tokens.refusal(tok, user)
        if refused is not None:
            tokens.log_refusal(tok, user, refused)
            raise refused
        # Touch at most once a minute: a hot integration should not write on every call.
        now = timezone.now()
        if tok["last_used_at"] is None or (now - tok["last_used_at"]).total_seconds() > 60:
            ApiToken.objects.filter(pk=tok["id"]).update(last_used_at=now)
        request.user = user
        ctx = current.get()
        current.set(RequestContext(user=user, ip=ctx.ip, request_id=ctx.request_id))
        return user


class ClinicSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> Any:
        # No session cookie means this is not a browser session: skip the CSRF check so a bearer-token
        # write can reach TokenAuth (ninja tries the session first and would refuse it with 403).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        from toxinclinic.accounts.middleware import needs_second_factor

        if needs_second_factor(user) and not user.is_verified():
            return None
        return user


API_AUTH = [ClinicSessionAuth(), TokenAuth()]

"""API authentication: the browser's session (with CSRF) or a bearer token for integrations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from toxinclinic.accounts.models import ApiToken
from toxinclinic.audit.context import RequestContext, current


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.filter(digest=ApiToken.hash(token), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        # Touch at most once a minute: a hot integration should not write on every call.
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        ctx = current.get()
        current.set(RequestContext(user=row.user, ip=ctx.ip, request_id=ctx.request_id))
        return row.user


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

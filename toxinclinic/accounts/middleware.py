"""Send staff who must use a second factor to enrol or verify before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from toxinclinic.accounts.models import Role

_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/api/", "/healthz", "/fhir/")


def needs_second_factor(user: object) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    role = getattr(user, "role", None)
    if role == Role.PATIENT:
        return False
    from django_otp import user_has_device

    if user_has_device(user):
        return True  # once enrolled, always required
    if role == Role.ADMIN and settings.TOXINCLINIC_REQUIRE_ADMIN_2FA:
        return True
    return bool(settings.TOXINCLINIC_REQUIRE_STAFF_2FA)


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            needs_second_factor(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            return redirect("two_factor")
        return self.get_response(request)

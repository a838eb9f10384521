"""The JSON API under /api/v1/ with its OpenAPI document at /api/v1/openapi.json.

Each workflow app contributes a ``router``; this module only wires them and maps
our exceptions to HTTP: 404 for unknown or out-of-scope ids, 403 for a known
resource the role may not touch, 409 for a stale update, 422 for invalid fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from toxinclinic.accounts.tokens import TokenRefused
from toxinclinic.api.auth import API_AUTH
from toxinclinic.api.openapi import complete
from toxinclinic.core.errors import Conflict, FieldError


class ClinicAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        # The error responses and the text every field refuses, once for all operations.
        return complete(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    def get_openapi_operation_id(self, operation: Any) -> str:
        # Short, stable ids (the view function's name); the matrix test keys on them.
        return operation.view_func.__name__


api = ClinicAPI(
    title="Toxin Clinic API",
    version="1",
    description=(
        "Botulinum-toxin program for chronic migraine and cervical dystonia. Authenticate with the browser "
        "session (send the CSRF token on writes) or `Authorization: Bearer <token>`. Ids are opaque UUIDs."
    ),
    auth=API_AUTH,
    urls_namespace="api-v1",
)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Your role may not do this."}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Sign in or send a valid bearer token."}, status=401)


@api.exception_handler(TokenRefused)
def _token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail}, status=exc.status)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc), "current_version": exc.current_version}, status=409
    )


@api.exception_handler(FieldError)
def _field_error(request: HttpRequest, exc: FieldError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.as_list()}, status=422)


def _register() -> None:
    from toxinclinic.core.plugins import app_modules

    for module in app_modules("api"):
        api.add_router(module.API_PREFIX, module.router)


_register()

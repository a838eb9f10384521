from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from toxinclinic.audit.context import RequestContext, current


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(
            RequestContext(
                user=getattr(request, "user", None),
                ip=request.META.get("REMOTE_ADDR"),
                request_id=uuid.uuid4().hex[:16],
            )
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)

"""Refuse text with a NUL character before any view sees it.

PostgreSQL cannot store or compare text containing NUL (``\\x00``; JSON ``\\u0000``): a search, a filter or
a save with one fails inside the database with a 500, while SQLite quietly treats it differently. One
check here covers every search box, query parameter, form and JSON body: HTML gets 400, the API 422 with
the field's location, like any other bad input. Multipart uploads are left to their forms (Django's
CharField already refuses NUL, and a file's bytes may contain it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL = "\x00"


def _walk(value: Any, loc: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, dict):
        for k, v in value.items():
            if NUL in str(k):
                yield (*loc, str(k))
            yield from _walk(v, (*loc, str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*loc, str(i)))


def nul_location(request: HttpRequest) -> tuple[str, ...] | None:
    """Where the first NUL is: ("query", name), ("form", name) or ("body", *path); None if nowhere."""
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return ("query", key.replace(NUL, ""))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    ctype = request.content_type or ""
    if ctype == "application/x-www-form-urlencoded":
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return ("form", key.replace(NUL, ""))
    elif ctype == "application/json" and (b"\\u0000" in request.body or b"\x00" in request.body):
        try:
            data = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the API answers that itself
        return next(_walk(data, ("body",)), None)
    return None


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        loc = nul_location(request)
        if loc is None:
            return self.get_response(request)
        field = loc[-1] if len(loc) > 1 else loc[0]
        msg = f"{field}: remove the NUL character (\\x00); text cannot contain it."
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": [{"loc": list(loc), "msg": msg, "type": "value_error"}]}, status=422
            )
        return HttpResponseBadRequest(msg, content_type="text/plain; charset=utf-8")

"""Refuse text that no database can store before any view sees it: a NUL character or a lone UTF-16
surrogate.

PostgreSQL cannot store or compare text containing NUL (``\\x00``; JSON ``\\u0000``): a search, a filter or
a save with one fails inside the database with a 500, while SQLite quietly treats it differently. A JSON
string may also carry half of a UTF-16 surrogate pair (``"a\\ud800b"``, or the raw bytes of one, which
Python's JSON reader lets through): such a string is not valid Unicode, cannot be encoded as UTF-8, and a
save fails on both databases with a 500. One check here covers every search box, query parameter, form
and JSON body: HTML gets 400, the API 422 with the field's location, like any other bad input. Bodies are
checked as JSON whatever their declared type, because the API reads any body as JSON. Multipart uploads
are left to their forms (Django's CharField already refuses NUL, a file's bytes may contain it, and Django
decodes form fields with replacement, so no surrogate survives there or in query strings).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL = "\x00"
SURROGATE = re.compile("[\ud800-\udfff]")
#: A body worth parsing: a NUL (raw or escaped), a surrogate escape, or a surrogate's raw UTF-8 bytes.
#: Escaped pairs (an emoji as ``\\ud83d\\ude00``) match too and pass once decoded.
SUSPECT_BODY = re.compile(rb"\x00|\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
MESSAGES = {
    "nul": "remove the NUL character (\\x00); text cannot contain it.",
    "surrogate": "remove the unpaired UTF-16 surrogate (\\ud800-\\udfff); text must be valid Unicode "
    "(a character outside the basic plane is written as a pair, or as UTF-8).",
}


def _problem(text: str) -> str | None:
    if NUL in text:
        return "nul"
    if SURROGATE.search(text):
        return "surrogate"
    return None


def _printable(name: str) -> str:
    return SURROGATE.sub("?", name.replace(NUL, ""))


def _walk(value: Any, loc: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        if kind := _problem(value):
            yield loc, kind
    elif isinstance(value, dict):
        for k, v in value.items():
            if kind := _problem(str(k)):
                yield (*loc, _printable(str(k))), kind
            yield from _walk(v, (*loc, _printable(str(k))))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*loc, str(i)))


def bad_text_location(request: HttpRequest) -> tuple[tuple[str, ...], str] | None:
    """Where the first unstorable text is and what is wrong with it: (("query", name), "nul"),
    (("form", name), …) or (("body", *path), "nul" | "surrogate"); None if nowhere."""
    for key, values in request.GET.lists():
        for text in (key, *values):
            if kind := _problem(text):
                return ("query", _printable(key)), kind
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    ctype = request.content_type or ""
    if ctype == "application/x-www-form-urlencoded":
        for key, values in request.POST.lists():
            for text in (key, *values):
                if kind := _problem(text):
                    return ("form", _printable(key)), kind
    elif not ctype.startswith("multipart/") and SUSPECT_BODY.search(request.body):
        try:
            data = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the API answers that itself
        return next(_walk(data, ("body",)), None)
    return None


def operation_outcome_response(
    status: int, code: str, diagnostics: str, expression: str = ""
) -> JsonResponse:
    """An error a FHIR client reads, for the answers core gives before the fhir app's views run (bad
    text in the request, the database away)."""
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return JsonResponse(
        {"resourceType": "OperationOutcome", "issue": [issue]},
        status=status,
        content_type="application/fhir+json",
    )


class RejectNulMiddleware:
    """Refuses NUL characters and lone surrogates (the name predates the surrogate check)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = bad_text_location(request)
        if found is None:
            return self.get_response(request)
        loc, kind = found
        field = loc[-1] if len(loc) > 1 else loc[0]
        msg = f"{field}: {MESSAGES[kind]}"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": [{"loc": list(loc), "msg": msg, "type": "value_error"}]}, status=422
            )
        if request.path.startswith("/fhir/"):
            # A FHIR client reads errors as an OperationOutcome (the fhir app answers every other error so).
            return operation_outcome_response(400, "invalid", msg, expression=".".join(loc))
        return HttpResponseBadRequest(msg, content_type="text/plain; charset=utf-8")

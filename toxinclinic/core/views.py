"""The purely technical endpoints: health, favicon, robots.txt; the error page when the database is away.

They read nothing of the clinic's rooms, so they stay at the bottom with the other helpers; the landing
page and the home screens, which compose several workflows, live in the top room ``toxinclinic.home``.
"""

from __future__ import annotations

import sys

from django.contrib.staticfiles import finders
from django.db import InterfaceError, OperationalError, connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from toxinclinic.core.middleware import operation_outcome_response


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus a trivial database round trip; also the framework floor in benchmarks."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, which browsers ask for on every site whatever the page links to."""
    path = finders.find("favicon.ico")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


# Only the public treatment pages are for search engines; everything else needs a login anyway.
ROBOTS = """User-agent: *
Allow: /$
Allow: /treatments/
Disallow: /treatments/manage/
Disallow: /accounts/
Disallow: /home/
Disallow: /patients/
Disallow: /visits/
Disallow: /diary/
Disallow: /safety/
Disallow: /questionnaires/
Disallow: /inventory/
Disallow: /scheduling/
Disallow: /users/
Disallow: /audit/
Disallow: /me/
Disallow: /api/
Disallow: /admin/
"""


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    body = ROBOTS + f"Sitemap: {settings.SITE_URL}/sitemap.xml\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


#: Seconds a client is asked to wait when the database cannot be reached (a restart takes a few).
RETRY_AFTER = 10
UNAVAILABLE = "The clinic's database cannot be reached just now; nothing was saved. Try again in a minute."


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a fault that is the database being away (restarting, unreachable, busy) is a 503
    with Retry-After, in the form the caller reads (the API's error JSON, a FHIR OperationOutcome, or the
    page); anything else is the app's own 500 page. Renders nothing that touches the database."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return defaults.server_error(request)
    path = request.path
    if path.startswith("/fhir/"):
        resp: HttpResponse = operation_outcome_response(503, "transient", UNAVAILABLE)
    elif path.startswith("/api/") or path == "/healthz":
        resp = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        resp = HttpResponse(loader.get_template("core/unavailable.html").render(), status=503)
    resp["Retry-After"] = str(RETRY_AFTER)
    return resp

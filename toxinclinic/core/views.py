"""The purely technical endpoints: health, favicon, robots.txt.

They read nothing of the clinic's rooms, so they stay at the bottom with the other helpers; the landing
page and the home screens, which compose several workflows, live in the top room ``toxinclinic.home``.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


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

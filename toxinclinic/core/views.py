"""Home screens per role, and the health endpoint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from toxinclinic.accounts.models import Clinic, Location, Role, User
from toxinclinic.audit.models import AuditEvent
from toxinclinic.audit.words import describe
from toxinclinic.core.plugins import home_panels
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import search_patients
from toxinclinic.patients.views import chart_context


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    # The public sees the clinics' treatment pages (education app), with a link to sign in.
    from toxinclinic.education.views import index

    return index(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.PATIENT:
        patient = Patient.objects.filter(user=user).select_related("clinic").first()
        if patient is None:
            return render(request, "core/home_patient_unlinked.html")
        ctx = chart_context(request, patient)
        ctx["panels"] = home_panels(request)
        return render(request, "core/home_patient.html", ctx)
    if user.role == Role.ADMIN:
        clinic_users = (
            User.objects.filter(clinic_id=user.clinic_id)
            .values("role")
            .annotate(n=Count("id"))
            .order_by("role")
        )
        return render(
            request,
            "core/home_admin.html",
            {
                "clinic": user.clinic,
                "role_counts": [(Role(r["role"]).label, r["n"]) for r in clinic_users],
                "locations": Location.objects.filter(clinic_id=user.clinic_id),
                "patient_count": Patient.objects.filter(clinic_id=user.clinic_id).count(),
                "recent_audit": describe(AuditEvent.objects.filter(clinic_id=user.clinic_id)[:8]),
                "clinics": Clinic.objects.filter(pk=user.clinic_id),
                "panels": home_panels(request),
            },
        )
    query = request.GET.get("q", "").strip()[:100]
    patients = search_patients(user, query)[:20]
    return render(
        request,
        "core/home_staff.html",
        {
            "patients": patients,
            "query": query,
            "patient_count": Patient.objects.filter(clinic_id=user.clinic_id).count(),
            "panels": home_panels(request),
        },
    )


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

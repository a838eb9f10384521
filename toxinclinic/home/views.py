"""The landing page and the home screen of each role: the screens that compose several rooms.

This is the top room (``docs/architecture.md``): it may read every workflow app, and none reads it. The
cards on a home screen come from each app's ``panels.py`` (``core.plugins.home_panels``); the patient's
own cards that join several workflows (the to-do list, treatment status) are this app's ``panels.py``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from toxinclinic.accounts.models import Clinic, Location, Role, User
from toxinclinic.audit.models import AuditEvent
from toxinclinic.audit.words import describe
from toxinclinic.core.plugins import home_panels
from toxinclinic.education.views import index as treatment_pages
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import search_patients
from toxinclinic.patients.views import chart_context


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    # The public sees the clinics' treatment pages (education app), with a link to sign in.
    return treatment_pages(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.PATIENT:
        patient = Patient.objects.filter(user=user).select_related("clinic").first()
        if patient is None:
            return render(request, "home/patient_unlinked.html")
        ctx = chart_context(request, patient)
        ctx["panels"] = home_panels(request)
        return render(request, "home/patient.html", ctx)
    if user.role == Role.ADMIN:
        clinic_users = (
            User.objects.filter(clinic_id=user.clinic_id)
            .values("role")
            .annotate(n=Count("id"))
            .order_by("role")
        )
        return render(
            request,
            "home/admin.html",
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
        "home/staff.html",
        {
            "patients": patients,
            "query": query,
            "patient_count": Patient.objects.filter(clinic_id=user.clinic_id).count(),
            "panels": home_panels(request),
        },
    )

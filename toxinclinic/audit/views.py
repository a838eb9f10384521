from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from toxinclinic.accounts.permissions import can_view_audit
from toxinclinic.audit.models import AuditEvent
from toxinclinic.patients.models import Patient


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """The clinic admin's view of the trail, filtered by action, person, patient and dates."""
    if not can_view_audit(request.user):
        raise PermissionDenied
    qs = AuditEvent.objects.filter(clinic_id=request.user.clinic_id)
    action = request.GET.get("action", "").strip()[:80]
    actor = request.GET.get("actor", "").strip()[:100]
    mrn = request.GET.get("mrn", "").strip()[:32]
    errors: dict[str, str] = {}
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if mrn:
        patient = Patient.objects.filter(clinic_id=request.user.clinic_id, mrn=mrn).first()
        qs = qs.filter(patient_id=patient.pk if patient else -1)
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        raw = request.GET.get(key, "")
        if raw:
            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(raw)})
            except ValueError:
                errors[key] = f"{key}: use a date like 2026-01-31."
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.filter(clinic_id=request.user.clinic_id)
        .values_list("action", flat=True)
        .distinct()
    )
    return render(
        request,
        "audit/search.html",
        {"page": page, "params": request.GET, "errors": errors, "actions": sorted(set(actions))},
        status=400 if errors else 200,
    )


@login_required
def my_access_log(request: HttpRequest) -> HttpResponse:
    """A patient sees who on the clinic's staff opened their chart, and when."""
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None or request.user.role != "patient":
        raise PermissionDenied
    rows = AuditEvent.objects.filter(patient_id=patient.pk, action="chart.viewed")[:200]
    return render(request, "audit/my_access_log.html", {"rows": rows})

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from toxinclinic.accounts import locale
from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import can_view_audit, can_view_own_access_log
from toxinclinic.audit import words
from toxinclinic.audit.models import AuditEvent
from toxinclinic.patients.access import patient_only
from toxinclinic.patients.models import Patient

_DATE_HELP = "pick a day with the date picker, or type it as the field shows it"


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
    dates: dict[str, dt.date] = {}
    for key, label in (("since", "From"), ("until", "To")):
        raw = request.GET.get(key, "").strip()[:20]
        if raw:
            try:
                dates[key] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[key] = f"{label}: this is not a date; {_DATE_HELP}."
    if "since" in dates and "until" in dates and dates["until"] < dates["since"]:
        # An empty list would read as "nothing happened"; the range itself is the mistake.
        errors["until"] = (
            f"To ({locale.format_date(dates['until'])}) is before From "
            f"({locale.format_date(dates['since'])}): choose a To date on or after the From date."
        )
    if errors:
        qs = qs.none()
    else:
        # The days are the clinic's days: the active time zone is the clinic's (ClinicLocaleMiddleware).
        if "since" in dates:
            qs = qs.filter(at__date__gte=dates["since"])
        if "until" in dates:
            qs = qs.filter(at__date__lte=dates["until"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.filter(clinic_id=request.user.clinic_id)
        .values_list("action", flat=True)
        .distinct()
    )
    choices = sorted(((a, words.action_label(a)) for a in set(actions)), key=lambda c: c[1])
    return render(
        request,
        "audit/search.html",
        {
            "page": page,
            "rows": words.describe(page.object_list),
            "params": request.GET,
            "errors": errors,
            "actions": choices,
        },
        status=400 if errors else 200,
    )


@patient_only
def my_access_log(request: HttpRequest, patient: Patient) -> HttpResponse:
    """A patient sees who on the clinic's staff opened their chart, and when."""
    if not can_view_own_access_log(request.user, patient):
        raise PermissionDenied
    rows = AuditEvent.objects.filter(patient_id=patient.pk, action="chart.viewed")[:200]
    roles = dict(Role.choices)
    shown = [
        {
            "at": e.at,
            "who": e.actor_label,
            "role": roles.get(e.actor_role, words.words(e.actor_role)),
            "what": words.READS.get(str((e.data or {}).get("what", "chart")), "Chart"),
        }
        for e in rows
    ]
    return render(request, "audit/my_access_log.html", {"rows": shown})

"""A patient's coverage screen (authorizations and the packet), the packet as PDF and JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from toxinclinic.audit.services import log_action
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.coverage import packet, pdf, services
from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
from toxinclinic.coverage.permissions import can_manage_coverage
from toxinclinic.patients.access import chart_for
from toxinclinic.patients.models import Patient


def _auth(patient: Patient, request: HttpRequest) -> PriorAuthorization | None:
    pid = request.GET.get("auth") or request.POST.get("auth")
    if not pid:
        return None
    try:
        return PriorAuthorization.objects.get(patient=patient, public_id=pid)
    except (PriorAuthorization.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No such authorization for this patient.") from exc


def _date(v: str | None, field: str) -> dt.date | None:
    if not v:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise FieldError.one(field, "Give a date.") from None


def _int(v: str | None, field: str) -> int | None:
    if v in (None, ""):
        return None
    try:
        return int(v)
    except ValueError:
        raise FieldError.one(field, "Give a whole number.") from None


def _values(post: Any) -> dict[str, Any]:
    return {
        "payer": post.get("payer", "").strip(),
        "reference": post.get("reference", "").strip(),
        "renewal": post.get("renewal") == "on",
        "units_per_session": _int(post.get("units_per_session"), "units_per_session"),
        "visits_approved": _int(post.get("visits_approved"), "visits_approved"),
        "starts_on": _date(post.get("starts_on"), "starts_on"),
        "ends_on": _date(post.get("ends_on"), "ends_on"),
        "denial_reason": post.get("denial_reason", "").strip(),
    }


@login_required
def packet_screen(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what="coverage packet")
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            vals = _values(request.POST)
            target = request.POST.get("status", AuthStatus.DRAFTED)
            auth = _auth(patient, request)
            if auth is None:
                services.record_authorization(patient, actor=request.user, status=target, **vals)
            else:
                keep = {k: v for k, v in vals.items() if v not in (None, "") and k != "payer"}
                services.move_authorization(
                    auth,
                    target,
                    actor=request.user,
                    version=_int(request.POST.get("version"), "version"),
                    **keep,
                )
            return redirect(reverse("coverage:packet", args=[patient.public_id]))
        except FieldError as e:
            errors, status = e.errors, 400
        except Conflict as e:
            errors, status = {"__all__": [str(e)]}, 409
    auths = list(PriorAuthorization.objects.filter(patient=patient).order_by("-id"))
    data = packet.build(patient, auths[0] if auths else None)
    return render(
        request,
        "coverage/packet.html",
        {
            "patient": patient,
            "p": data,
            "chart": pdf.baseline_chart(data["baseline_diary"]["months"]),
            "auths": [(a, [AuthStatus(s) for s in services.NEXT[a.status]]) for a in auths],
            "statuses": AuthStatus.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=status,
    )


@login_required
def packet_pdf(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what="coverage packet (PDF)")
    data = packet.build(patient, _auth(patient, request))
    log_action("packet.downloaded", actor=request.user, obj=patient, data={"format": "pdf"})
    resp = HttpResponse(pdf.render_pdf(data), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="packet-{patient.public_id}.pdf"'
    return resp


@login_required
def packet_json(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id, can=can_manage_coverage, what="coverage packet (JSON)")
    data = packet.build(patient, _auth(patient, request))
    log_action("packet.downloaded", actor=request.user, obj=patient, data={"format": "json"})
    resp = JsonResponse(data, json_dumps_params={"indent": 2})
    resp["Content-Disposition"] = f'attachment; filename="packet-{patient.public_id}.json"'
    return resp

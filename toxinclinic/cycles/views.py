"""Screens: a patient's cycles (clinician and patient versions, printable) and the clinic's outcomes."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from toxinclinic.accounts.models import Role, User
from toxinclinic.audit.services import log_action
from toxinclinic.clinical import cycles as engine
from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.clinical import outcomes_stats as stats
from toxinclinic.clinical.products import INDICATION_LABELS, PRODUCTS
from toxinclinic.cycles import charts, report, services
from toxinclinic.cycles.permissions import can_view_clinic_outcomes, can_view_cycles
from toxinclinic.patients.access import chart_for, patient_only


def _png(data: bytes) -> HttpResponse:
    resp = HttpResponse(data, content_type="image/png")
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
@require_GET
def patient_cycles(request: HttpRequest, patient_id: str) -> HttpResponse:
    if getattr(request.user, "role", None) == Role.PATIENT:
        return redirect("cycles:mine")
    patient = chart_for(request, patient_id, can=can_view_cycles, what="treatment cycles")
    pt = services.patient_timeline(patient)
    _, alt = charts.timeline_png(pt)
    return render(request, "cycles/patient.html", {"patient": patient, "pt": pt, "alt": alt})


@login_required
@require_GET
def patient_cycles_chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id, can=can_view_cycles, what="treatment cycles chart")
    png, _ = charts.timeline_png(services.patient_timeline(patient))
    return _png(png)


@require_GET
@patient_only
def my_cycles(request: HttpRequest, patient: Any) -> HttpResponse:
    pt = services.patient_timeline(patient)
    _, alt = charts.timeline_png(pt)
    return render(request, "cycles/mine.html", {"patient": patient, "pt": pt, "alt": alt})


@require_GET
@patient_only
def my_cycles_chart(request: HttpRequest, patient: Any) -> HttpResponse:
    png, _ = charts.timeline_png(services.patient_timeline(patient))
    return _png(png)


class ReportFilters(forms.Form):
    indication = forms.ChoiceField(
        choices=[(k, INDICATION_LABELS.get(k, k)) for k in (engine.MIGRAINE, engine.DYSTONIA)],
        required=False,
    )
    product = forms.ChoiceField(required=False)
    protocol = forms.ChoiceField(
        choices=[("", "Any protocol"), *report.PROTOCOL_FILTERS.items()], required=False
    )
    injector = forms.ChoiceField(required=False)
    start = forms.DateField(
        required=False, label="Sessions from", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(required=False, label="Sessions to", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any, clinic_id: int) -> None:
        super().__init__(data)
        self.fields["product"].choices = [("", "Any product")] + [(k, p.brand) for k, p in PRODUCTS.items()]
        injectors = User.objects.filter(clinic_id=clinic_id, role=Role.CLINICIAN, is_active=True).order_by(
            "last_name", "first_name"
        )
        self.fields["injector"].choices = [("", "Any injector")] + [
            (str(u.public_id), u.get_full_name() or u.get_username()) for u in injectors
        ]
        self._injectors = {str(u.public_id): u.pk for u in injectors}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period is before its start: give an end on or after it.")
        return data

    def filters(self, clinic_id: int) -> report.Filters:
        d = self.cleaned_data
        return report.Filters(
            clinic_id=clinic_id,
            indication=d.get("indication") or engine.MIGRAINE,
            product=d.get("product") or "",
            protocol=d.get("protocol") or "",
            injector_id=self._injectors.get(d.get("injector") or ""),
            start=d.get("start"),
            end=d.get("end"),
        )


def _report_for(request: HttpRequest) -> tuple[ReportFilters, report.Report | None]:
    if not can_view_clinic_outcomes(request.user):
        raise PermissionDenied("Clinicians and clinic admins see the clinic's outcomes.")
    clinic_id = request.user.clinic_id  # type: ignore[union-attr]
    form = ReportFilters(request.GET or None, clinic_id)
    if request.GET and not form.is_valid():
        return form, None
    f = form.filters(clinic_id) if request.GET else report.Filters(clinic_id=clinic_id)
    return form, report.build(f)


def _audit(request: HttpRequest, action: str, rep: report.Report | None) -> None:
    f = rep.filters if rep else None
    log_action(
        action,
        actor=request.user,
        clinic_id=request.user.clinic_id,  # type: ignore[union-attr]
        data={
            "indication": f.indication if f else "",
            "product": f.product if f else "",
            "protocol": f.protocol if f else "",
            "injector": bool(f and f.injector_id),
            "start": f.start.isoformat() if f and f.start else "",
            "end": f.end.isoformat() if f and f.end else "",
        },
    )


@login_required
@require_GET
def clinic_report(request: HttpRequest) -> HttpResponse:
    form, rep = _report_for(request)
    _audit(request, "outcomes_report.viewed", rep)
    if rep is None:
        return render(request, "cycles/report.html", {"form": form, "report": None}, status=400)
    measures = report.BY_INDICATION[rep.filters.indication]
    chart_measure = measures[0]
    _, alt = charts.report_png(rep, chart_measure)
    return render(
        request,
        "cycles/report.html",
        {
            "form": form,
            "report": rep,
            "measures": [
                (m, report.MEASURES[m][0], report.MEASURES[m][1], rep.rows_for(m)) for m in measures
            ],
            "chart_measure": chart_measure,
            "alt": alt,
            "query": request.GET.urlencode(),
            "min_group": stats.MIN_GROUP_SIZE,
            "sources": [(s, ref.cite(s.key)) for s in ref.SOURCES.values()],
            "not_verified": ref.NOT_VERIFIED,
            "is_migraine": rep.filters.indication == engine.MIGRAINE,
        },
    )


@login_required
@require_GET
def clinic_report_chart(request: HttpRequest, measure: str) -> HttpResponse:
    _form, rep = _report_for(request)
    _audit(request, "outcomes_report.chart_viewed", rep)
    if rep is None or measure not in report.MEASURES:
        return HttpResponse("Bad filters or measure.", status=400, content_type="text/plain")
    png, _ = charts.report_png(rep, measure)
    return _png(png)


@login_required
@require_GET
def clinic_report_csv(request: HttpRequest) -> HttpResponse:
    form, rep = _report_for(request)
    _audit(request, "outcomes_report.exported", rep)
    if rep is None:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400)
    resp = HttpResponse(content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="clinic-outcomes-{timezone.localdate():%Y%m%d}.csv"'
    w = csv.writer(resp)
    for line in report.csv_rows(rep):
        w.writerow(line)
    return resp

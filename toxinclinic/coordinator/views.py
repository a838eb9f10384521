"""The worklist screen, its CSV, and a patient's outreach page (attempts, next contact, assignment)."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from toxinclinic.accounts.locale import format_date, format_datetime
from toxinclinic.accounts.models import User
from toxinclinic.audit.services import log_action
from toxinclinic.coordinator import services, worklist
from toxinclinic.coordinator.models import OutreachOutcome, WorklistRow
from toxinclinic.coordinator.permissions import (
    can_assign,
    can_record_outreach,
    can_take_patient,
    can_view_worklist,
)
from toxinclinic.coordinator.tasks import ensure_ticking, queue_refresh
from toxinclinic.core.errors import FieldError
from toxinclinic.patients.access import chart_for


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
def worklist_screen(request: HttpRequest) -> HttpResponse:
    if not can_view_worklist(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    filters = worklist.parse_filters(request.GET.getlist("f"))
    page = _page(request)
    rows, has_next = worklist.page_rows(request.user, filters, today, page)
    # Rows judged on an earlier day: queue the clinic refresh (the 30-day diary figures move each day).
    if WorklistRow.objects.filter(clinic_id=request.user.clinic_id, diary_as_of__lt=today).exists():
        queue_refresh(request.user.clinic_id)
    ensure_ticking()
    log_action(
        "worklist.viewed", actor=request.user, clinic_id=request.user.clinic_id, data={"filters": filters}
    )
    query = "&".join(f"f={f}" for f in filters)
    return render(
        request,
        "coordinator/worklist.html",
        {
            "lines": worklist.lines(rows, today),
            "filters": worklist.FILTERS,
            "active": filters,
            "query": query,
            "page": page,
            "has_next": has_next,
            "today": today,
        },
    )


CSV_HEADER = [
    "Patient",
    "MRN",
    "State",
    "Window opens",
    "Last session",
    "Product",
    "Units (U)",
    "Next appointment",
    "Diary days recorded (30)",
    "Headache days (30)",
    "Baseline headache days (per 30)",
    "Verdict",
    "Authorization",
    "Approved U per session",
    "Visits left",
    "Authorization expires",
    "Urgent side effect",
    "Outreach",
    "Next contact",
    "Assigned to",
    "Reasons",
]


@login_required
def worklist_csv(request: HttpRequest) -> HttpResponse:
    """Every row of the filtered list (not only the page), streamed in urgency order."""
    if not can_view_worklist(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    filters = worklist.parse_filters(request.GET.getlist("f"))
    qs = worklist.ordered(
        worklist.apply_filters(worklist.rows_for(request.user), filters, request.user, today)
    )
    qs = qs.select_related("patient", "assigned_to")
    log_action(
        "worklist.exported", actor=request.user, clinic_id=request.user.clinic_id, data={"filters": filters}
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def d(v: dt.date | None) -> str:
        return format_date(v) if v else ""

    def gen():  # type: ignore[no-untyped-def]
        yield writer.writerow(CSV_HEADER)
        batch: list[WorklistRow] = []
        for r in qs.iterator(chunk_size=500):
            batch.append(r)
            if len(batch) == 500:
                yield from _csv_lines(batch)
                batch = []
        yield from _csv_lines(batch)

    def _csv_lines(batch: list[WorklistRow]):  # type: ignore[no-untyped-def]
        for ln in worklist.lines(batch, today):
            r, a = ln.row, ln.assessment
            yield writer.writerow(
                [
                    ln.patient.full_name,
                    ln.patient.mrn,
                    a.label,
                    d(r.window_opens_on),
                    d(r.last_session_on),
                    ln.product,
                    f"{r.last_units:g}" if r.last_units is not None else "",
                    format_datetime(r.next_appointment_at) if r.next_appointment_at else "",
                    r.diary_recorded_30 if r.diary_recorded_30 is not None else 0,
                    r.headache_days_30 if r.headache_days_30 is not None else "",
                    f"{r.baseline_headache_days:g}" if r.baseline_headache_days is not None else "",
                    ln.verdict_label,
                    ln.auth_label,
                    r.auth_units or "",
                    r.auth_visits_left if r.auth_visits_left is not None else "",
                    d(r.auth_expires_on),
                    "yes" if r.urgent_side_effect else "",
                    ln.outreach_label,
                    d(r.next_contact_on),
                    r.assigned_to.get_full_name() if r.assigned_to else "",
                    "; ".join(a.reasons),
                ]
            )

    resp = StreamingHttpResponse(gen(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="worklist-{today.isoformat()}.csv"'
    return resp


@login_required
def outreach(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A patient's outreach: the attempts so far, a form for the next, and the assignment."""
    patient = chart_for(request, patient_id, can=can_record_outreach, what="outreach")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "assign":
                if not can_assign(request.user, patient):
                    raise PermissionDenied
                who = request.POST.get("coordinator", "")
                coord = (
                    User.objects.filter(public_id=who, clinic_id=patient.clinic_id).first() if who else None
                )
                if who and coord is None:
                    raise FieldError.one("coordinator", "Choose an active coordinator of this clinic.")
                services.assign(patient, coord, actor=request.user)
            else:
                nxt = request.POST.get("next_contact_on") or None
                try:
                    next_on = dt.date.fromisoformat(nxt) if nxt else None
                except ValueError:
                    raise FieldError.one("next_contact_on", "Give the next contact date as a date.") from None
                services.record_outreach(
                    patient,
                    actor=request.user,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                    next_contact_on=next_on,
                )
            return redirect(reverse("coordinator:outreach", args=[patient.public_id]))
        except FieldError as e:
            errors = e.errors
    row = WorklistRow.objects.filter(patient=patient).select_related("assigned_to").first()
    return render(
        request,
        "coordinator/outreach.html",
        {
            "patient": patient,
            "row": row,
            "attempts": services.attempts_for(patient),
            "outcomes": OutreachOutcome.choices,
            "coordinators": services.staff_for_assignment(patient.clinic_id),
            "may_assign": can_assign(request.user, patient),
            "errors": errors,
            "posted": request.POST if errors else {},
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def assign_to_me(request: HttpRequest, patient_id: str) -> HttpResponse:
    # can_assign would let an admin through, and the service refuses an admin as assignee (was a 500).
    patient = chart_for(request, patient_id, can=can_take_patient, what=None)
    services.assign(patient, request.user, actor=request.user)
    return redirect(request.POST.get("next") or reverse("coordinator:worklist"))

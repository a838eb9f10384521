"""Questionnaire screens: what is due, answer one, see the result and the history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from toxinclinic.core.errors import FieldError
from toxinclinic.outcomes import services
from toxinclinic.outcomes.instruments import INSTRUMENTS
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.outcomes.permissions import can_answer_questionnaire, can_view_questionnaires
from toxinclinic.patients.access import chart_for, patient_only, record_for
from toxinclinic.patients.models import Patient


@patient_only
@require_GET
def questionnaire_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    due = services.due_for(patient)
    due_keys = {d.instrument.key for d in due}
    relevant = set(services.indications_for(patient))
    others = [
        i for k, i in INSTRUMENTS.items() if k not in due_keys and (not relevant or i.indications & relevant)
    ]
    return render(
        request,
        "outcomes/list.html",
        {"patient": patient, "due": due, "others": others, "history": services.history_for(patient)},
    )


def _sections(inst: Any, values: dict[str, Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    items = {i.key: i for i in inst.items}
    groups = inst.sections or (("", tuple(items)),)
    n = 0
    out = []
    for title, keys in groups:
        rows = []
        for k in keys:
            n += 1
            # Beside the question a short message; the summary at the top names the question in full.
            inline = [m.split("): ", 1)[-1].capitalize() for m in errors.get(k, [])]
            rows.append(
                {
                    "n": n,
                    "item": items[k],
                    "value": str(values.get(k, "")),
                    "errors": errors.get(k, []),
                    "inline": inline,
                }
            )
        out.append({"title": title, "rows": rows})
    return out


@patient_only
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, patient: Patient, instrument: str) -> HttpResponse:
    if not can_answer_questionnaire(request.user, patient):
        raise PermissionDenied
    inst = INSTRUMENTS.get(instrument)
    if inst is None:
        raise Http404("No such questionnaire.")
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {i.key: request.POST.get(i.key, "").strip() for i in inst.items}
        try:
            resp = services.submit(patient, inst.key, values, actor=request.user)
        except FieldError as exc:
            errors = exc.errors
            status = 400
        else:
            messages.success(request, f"Thank you. Your {inst.short} answers were saved.")
            return redirect("outcomes:response", response_id=resp.public_id)
    return render(
        request,
        "outcomes/answer.html",
        {
            "patient": patient,
            "inst": inst,
            "sections": _sections(inst, values, errors),
            "errors": errors,
            "other_errors": errors.get("answers", []),
        },
        status=status,
    )


@login_required
@require_GET
def response_detail(request: HttpRequest, response_id: str) -> HttpResponse:
    resp = record_for(
        request,
        QuestionnaireResponse.objects.all(),
        response_id,
        can=can_view_questionnaires,
        what="questionnaire",
        missing="No such response.",
    )
    history = [h for h in services.history_for(resp.patient) if h.instrument.key == resp.instrument]
    return render(
        request,
        "outcomes/response.html",
        {"resp": resp, "inst": INSTRUMENTS[resp.instrument], "history": history, "patient": resp.patient},
    )


@login_required
@require_GET
def patient_history(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = chart_for(request, patient_id, can=can_view_questionnaires, what="questionnaires")
    if getattr(request.user, "role", None) == "patient":
        return redirect("outcomes:list")
    return render(
        request,
        "outcomes/patient.html",
        {"patient": patient, "history": services.history_for(patient), "due": services.due_for(patient)},
    )

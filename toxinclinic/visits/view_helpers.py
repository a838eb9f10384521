"""What every step page of a visit shares: the steps and which are done, the page context (with the
safety banner), the permission check of a step, and turning a service's refusal into the form's errors
(400) or a stale save into a message (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.patients.banner import safety_banner
from toxinclinic.visits import permissions as perms
from toxinclinic.visits.models import Consent, Visit
from toxinclinic.visits.services import get_visit

STEPS = [
    ("screening", "1 Screening"),
    ("consent", "2 Consent"),
    ("chart", "3–4 Protocol and chart"),
    ("vials", "5 Product and vials"),
    ("sign", "6 Sign"),
]


def require_lister(request: HttpRequest) -> None:
    if not perms.can_list_visits(request.user):
        raise PermissionDenied


def prep(request: HttpRequest, visit_id: str) -> Visit:
    return get_visit(request.user, visit_id, can=perms.can_prepare_visit)


def draft_or_note(visit: Visit) -> HttpResponse | None:
    if visit.is_signed:
        return redirect("visits:detail", visit_id=visit.public_id)
    return None


def step_list(visit: Visit) -> list[dict[str, Any]]:
    done = {
        "screening": bool(visit.screened_at),
        "consent": Consent.objects.filter(visit=visit).exists(),
        "chart": visit.sites.exists(),
        "vials": visit.vial_uses.exists(),
        "sign": visit.is_signed,
    }
    return [{"key": k, "label": label, "done": done[k]} for k, label in STEPS]


def page_context(visit: Visit, step: str, **extra: Any) -> dict[str, Any]:
    return {
        "visit": visit,
        "patient": visit.patient,
        "steps": step_list(visit),
        "step": step,
        "product": visit.product_info,
        # Every step shows it: a dose can be decided (or prepared) on each of them.
        "safety_banner": safety_banner(visit.patient, exclude=visit),
        **extra,
    }


def errors_to_form(form: Any, exc: FieldError) -> None:
    for field, msgs in exc.errors.items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)


def conflict(request: HttpRequest, exc: Conflict) -> None:
    messages.error(request, str(exc))


def submit(
    request: HttpRequest, form: Any, save: Callable[[], Any], done: Callable[[Any], HttpResponse]
) -> tuple[HttpResponse | None, int]:
    """On a POST with a valid form, run ``save()`` and answer ``done(result)``. Otherwise (GET, invalid
    form, stale version, a refusal from the service) no response yet and the status to render the page
    with: 200, 400 (the service's messages go on the form) or 409 (the conflict as a message)."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        result = save()
    except Conflict as exc:
        conflict(request, exc)
        return None, 409
    except FieldError as exc:
        errors_to_form(form, exc)
        return None, 400
    return done(result), 200


def saved_redirect(request: HttpRequest, message: str, url_name: str, visit: Visit) -> HttpResponse:
    messages.success(request, message)
    return redirect(url_name, visit_id=visit.public_id)


def posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None

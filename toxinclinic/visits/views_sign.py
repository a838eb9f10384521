"""Signing a visit (review everything the engine says; a prescriber may override a hard stop with a
reason) and amending a signed note."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from toxinclinic.audit.services import record_read
from toxinclinic.clinical import billing, dosing
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.visits import drafts, signing
from toxinclinic.visits import forms as f
from toxinclinic.visits import permissions as perms
from toxinclinic.visits.checks import engine_session
from toxinclinic.visits.mapsvg import map_context
from toxinclinic.visits.schemas import totals_table
from toxinclinic.visits.services import get_visit
from toxinclinic.visits.view_helpers import (
    conflict,
    draft_or_note,
    page_context,
    posted_version,
    saved_redirect,
    submit,
)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Review everything the engine says and sign; a prescriber may override a hard stop with a reason."""
    visit = get_visit(request.user, visit_id)
    if not (perms.can_prepare_visit(request.user, visit) or perms.can_sign_this_visit(request.user, visit)):
        raise PermissionDenied
    if (r := draft_or_note(visit)) is not None:
        return r
    can_sign = perms.can_sign_this_visit(request.user, visit)
    can_override = perms.can_override_dose_stop(request.user)
    form = f.SignForm(request.POST or None, initial={"notes": visit.notes, "guidance": visit.guidance})
    overrides = {
        k.removeprefix("override_"): v
        for k, v in request.POST.items()
        if k.startswith("override_") and v.strip()
    }
    status = 200
    sign_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_sign:
            raise PermissionDenied
        if form.is_valid():
            try:
                if (
                    form.cleaned_data["notes"] != visit.notes
                    or form.cleaned_data["guidance"] != visit.guidance
                ):
                    visit = drafts.update_visit(
                        visit,
                        posted_version(request),
                        actor=request.user,
                        notes=form.cleaned_data["notes"],
                        guidance=form.cleaned_data["guidance"],
                    )
                    version = visit.version
                else:
                    version = posted_version(request)
                signing.sign_visit(
                    visit,
                    request.user,
                    expected_version=version,
                    overrides=overrides,
                    acknowledge_warnings=form.cleaned_data["acknowledge_warnings"],
                )
            except Conflict as exc:
                conflict(request, exc)
                status = 409
            except FieldError as exc:
                sign_errors = exc.errors
                status = 400
            else:
                messages.success(request, "Signed. The note is now final; corrections are amendments.")
                return redirect("visits:detail", visit_id=visit.public_id)
        else:
            status = 400
    visit.refresh_from_db()
    record_read(visit.patient, actor=request.user, what="visit review")
    # Signing refused unknown rules above, with a message; the page checks with the known ones.
    rv = signing.review(
        visit,
        {
            k: v
            for k, v in overrides.items()
            if can_override and k in dosing.RULES and k not in signing.NOT_OVERRIDABLE
        },
    )
    preview: list[Any] = []
    if rv.check is not None and rv.uses:
        # The sites and vials the review just loaded (no second read), as signing bills them.
        try:
            preview = billing.lines(engine_session(visit, rv.sites, rv.uses), guidance=visit.guidance or None)
        except (ValueError, FieldError):
            preview = []
    return render(
        request,
        "visits/sign.html",
        page_context(
            visit,
            "sign",
            form=form,
            review=rv,
            sign_errors=sign_errors,
            overrides=overrides,
            can_sign=can_sign,
            can_override=can_override,
            not_overridable=signing.NOT_OVERRIDABLE,
            preview=preview,
            uses=rv.uses,
            consent_row=rv.consent,
            totals=totals_table(rv.check) if rv.check else [],
            unit=f"{visit.product_info.brand} U",
            **map_context(rv.sites, rv.check.findings if rv.check else ()),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = get_visit(request.user, visit_id, can=perms.can_amend_visit)
    if not visit.is_signed:
        return redirect("visits:sign", visit_id=visit.public_id)
    form = f.AmendForm(request.POST or None, initial={"notes": visit.notes})
    done, status = submit(
        request,
        form,
        lambda: signing.amend_visit(
            visit,
            request.user,
            reason=form.cleaned_data["reason"],
            notes=form.cleaned_data["notes"],
            expected_version=posted_version(request),
        ),
        lambda note: saved_redirect(
            request, f"Amendment saved as note version {note.version}.", "visits:detail", visit
        ),
    )
    if done is not None:
        return done
    record_read(visit.patient, actor=request.user, what="signed note (amendment form)")
    return render(
        request, "visits/amend.html", {"visit": visit, "patient": visit.patient, "form": form}, status=status
    )

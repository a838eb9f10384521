"""The preparing steps of a visit: screening (the pre-injection checklist), consent, and the vials
opened for it (picked from the clinic's stock, first-expiring first)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from toxinclinic.audit.services import record_read
from toxinclinic.clinical import dosing, protocols
from toxinclinic.clinical.screening import QUESTIONS as SCREENING_QUESTIONS
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.inventory.services import EXPIRY_ALERT_DAYS, pickable_vials
from toxinclinic.visits import drafts
from toxinclinic.visits import forms as f
from toxinclinic.visits import vials as vial_uses
from toxinclinic.visits.history import history_sessions
from toxinclinic.visits.models import Consent, Visit
from toxinclinic.visits.screening import (
    SCREENING_KEYS,
    history_items,
    screening_answers,
    screening_items,
    screening_prefill,
)
from toxinclinic.visits.vialpicker import split_by_location, vial_groups
from toxinclinic.visits.view_helpers import (
    conflict,
    draft_or_note,
    page_context,
    posted_version,
    prep,
    saved_redirect,
    submit,
)


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, visit_id: str) -> HttpResponse:
    """The checklist: nothing starts answered unless the chart holds the fact (and then it says where
    from); saving with a question unanswered is refused, listing each one, and stores nothing."""
    visit = prep(request, visit_id)
    if (r := draft_or_note(visit)) is not None:
        return r
    # The toxin history is read once for the prefill, the checklist and its two history items.
    history = history_sessions(visit.patient, exclude=visit)
    prefill = screening_prefill(visit, history)
    saved = screening_answers(visit)
    asked = [k for k in SCREENING_KEYS if k not in prefill.not_applicable]
    shown: dict[str, bool] = saved if saved is not None else prefill.answers
    form = f.ScreeningForm(
        request.POST or None,
        keys=asked,
        initial={k: ("yes" if v else "no") for k, v in shown.items() if k in asked},
    )
    done, status = submit(
        request,
        form,
        lambda: drafts.save_screening(
            visit, posted_version(request), actor=request.user, answers=form.answers()
        ),
        lambda v: saved_redirect(request, "Screening saved.", "visits:screening", v),
    )
    if done is not None:
        return done
    items = (
        screening_items(visit, saved, history, na=prefill.not_applicable, sources=prefill.sources)
        if saved is not None and status == 200
        else None
    )
    record_read(visit.patient, actor=request.user, what="visit screening")
    results = {i["key"]: i for i in items} if items else {}
    rows = [
        {
            "field": form[key],
            "source": prefill.sources.get(key),
            "hint": prefill.hints.get(key),
            "result": results.get(key),
        }
        for key in asked
    ]
    not_asked = [
        {"question": SCREENING_QUESTIONS[k], "reason": reason} for k, reason in prefill.not_applicable.items()
    ]
    unanswered = [form[k] for k in asked if form.is_bound and form[k].errors]
    return render(
        request,
        "visits/screening.html",
        page_context(
            visit,
            "screening",
            form=form,
            rows=rows,
            not_asked=not_asked,
            unanswered=unanswered,
            history_items=history_items(visit, history),
            saved=saved is not None,
            concerns=_chart_concerns(visit),
        ),
        status=status,
    )


def _chart_concerns(visit: Visit) -> list[dict[str, Any]]:
    from toxinclinic.patients.screening import chart_concerns

    return chart_concerns(visit.patient)


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = prep(request, visit_id)
    if (r := draft_or_note(visit)) is not None:
        return r
    current = Consent.objects.filter(visit=visit).first()
    initial: dict[str, Any] = {
        "consented_by": "patient",
        "consenter_name": visit.patient.full_name,
        "consented_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    if current is not None:
        initial.update(
            {
                k: getattr(current, k)
                for k in (
                    "discussed_benefits",
                    "discussed_common_effects",
                    "discussed_serious_effects",
                    "discussed_alternatives",
                    "consented_by",
                    "consenter_name",
                    "notes",
                )
            }
        )
        initial["consented_at"] = timezone.localtime(current.consented_at)
    form = f.ConsentForm(request.POST or None, initial=initial)
    done, status = submit(
        request,
        form,
        lambda: drafts.save_consent(visit, posted_version(request), actor=request.user, **form.cleaned_data),
        lambda v: saved_redirect(request, "Consent recorded.", "visits:chart", v),
    )
    if done is not None:
        return done
    record_read(visit.patient, actor=request.user, what="visit consent")
    return render(request, "visits/consent.html", page_context(visit, "consent", form=form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def vials(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = prep(request, visit_id)
    if (r := draft_or_note(visit)) is not None:
        return r
    today_ = timezone.localdate()
    soon = today_ + dt.timedelta(days=EXPIRY_ALERT_DAYS)
    stock = list(pickable_vials(visit))
    uses = list(visit.vial_uses.select_related("vial__lot", "vial__location"))
    groups = vial_groups(stock, opened_lot_ids=[u.vial.lot_id for u in uses], soon=soon)
    here, elsewhere = split_by_location(groups, visit.location_id)
    show_all = request.GET.get("locations") == "all" or not here
    shown = here + elsewhere if show_all else here
    charted = sum((s.units for s in visit.sites.all()), Decimal(0))
    recorded = sum((u.units_administered for u in uses), Decimal(0))
    size = shown[0].vial.size_units if shown else 0
    give = min(max(charted - recorded, Decimal(0)), Decimal(size))
    tmpl = protocols.get(visit.protocol) if visit.protocol in protocols.PROTOCOL_KEYS else None
    per01 = tmpl.units_per_0_1_ml if tmpl and tmpl.product == visit.product else None
    diluent = dosing.diluent_ml_for(size, per01) if per01 and size else None
    initial = {
        "vial": str(shown[0].vial.public_id) if shown else "",
        "diluent_ml": Decimal(str(round(diluent, 2))).normalize() if diluent else None,
        "reconstituted_at": timezone.localtime().replace(second=0, microsecond=0),
        "units_administered": give,
        "units_discarded": Decimal(size) - give if size else None,
    }
    form = f.VialUseForm(request.POST or None, initial=initial, vials=stock, today=today_)
    if request.method == "POST" and "vial" in request.POST:
        # A vial not in the list (another clinic's, used, expired) is refused by the service with
        # the specific reason; the form only checks the shape of the other fields.
        form.fields["vial"].choices = [*form.fields["vial"].choices, (request.POST["vial"], "")]
    done, status = submit(
        request,
        form,
        lambda: vial_uses.add_vial_use(
            visit, posted_version(request), actor=request.user, **_vial_kwargs(form)
        ),
        lambda v: saved_redirect(request, "Vial recorded.", "visits:vials", v),
    )
    if done is not None:
        return done
    record_read(visit.patient, actor=request.user, what="visit vials")
    return render(
        request,
        "visits/vials.html",
        page_context(
            visit,
            "vials",
            form=form,
            uses=uses,
            stock=stock,
            groups=shown,
            elsewhere_count=sum(g.count for g in elsewhere),
            show_all=show_all,
            charted=charted,
            recorded=recorded,
            today=today_,
            soon=soon,
            alert_days=EXPIRY_ALERT_DAYS,
        ),
        status=status,
    )


def _vial_kwargs(form: f.VialUseForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "vial_id": d["vial"],
        "diluent_ml": d["diluent_ml"],
        "reconstituted_at": d["reconstituted_at"],
        "units_administered": d["units_administered"],
        "units_discarded": d["units_discarded"],
    }


@login_required
@require_POST
def vial_remove(request: HttpRequest, visit_id: str, use_id: str) -> HttpResponse:
    visit = prep(request, visit_id)
    if (r := draft_or_note(visit)) is not None:
        return r
    try:
        vial_uses.remove_vial_use(visit, posted_version(request), actor=request.user, use_id=use_id)
        messages.success(request, "Vial returned to stock.")
    except Conflict as exc:
        conflict(request, exc)
    except FieldError as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    return redirect("visits:vials", visit_id=visit.public_id)

"""Visit screens: today's visits, a patient's visits, and the steps of one visit (screening, consent,
charting on the map, vials, signing), the signed note with its versions and PDF, and billing lines.

Every page works without JavaScript; the chart page's small script only asks the server (``check``) for
the engine's verdict on the draft and renders the returned fragment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from toxinclinic.accounts.models import Location
from toxinclinic.api.errors import FieldError
from toxinclinic.audit.services import record_read
from toxinclinic.clinical import billing, dosing, protocols
from toxinclinic.clinical.screening import QUESTIONS as SCREENING_QUESTIONS
from toxinclinic.inventory.services import EXPIRY_ALERT_DAYS, pickable_vials
from toxinclinic.patients.banner import safety_banner
from toxinclinic.patients.services import Conflict, get_patient, search_patients
from toxinclinic.visits import forms as f
from toxinclinic.visits import permissions as perms
from toxinclinic.visits import services as svc
from toxinclinic.visits.mapsvg import flagged_muscles, map_context
from toxinclinic.visits.models import BillingLine, Consent, OutsideInjection, SignedNote, Visit, VisitStatus
from toxinclinic.visits.notes import note_context
from toxinclinic.visits.vialpicker import split_by_location, vial_groups

STEPS = [
    ("screening", "1 Screening"),
    ("consent", "2 Consent"),
    ("chart", "3–4 Protocol and chart"),
    ("vials", "5 Product and vials"),
    ("sign", "6 Sign"),
]


def _head(request: HttpRequest) -> None:
    if not perms.can_list_visits(request.user):
        raise PermissionDenied


def _prep(request: HttpRequest, visit_id: str) -> Visit:
    visit = svc.get_visit(request.user, visit_id)
    if not perms.can_prepare_visit(request.user, visit):
        raise PermissionDenied
    return visit


def _draft_or_note(visit: Visit) -> HttpResponse | None:
    if visit.is_signed:
        return redirect("visits:detail", visit_id=visit.public_id)
    return None


def _steps(visit: Visit) -> list[dict[str, Any]]:
    done = {
        "screening": bool(visit.screened_at),
        "consent": Consent.objects.filter(visit=visit).exists(),
        "chart": visit.sites.exists(),
        "vials": visit.vial_uses.exists(),
        "sign": visit.is_signed,
    }
    return [{"key": k, "label": label, "done": done[k]} for k, label in STEPS]


def _ctx(visit: Visit, step: str, **extra: Any) -> dict[str, Any]:
    return {
        "visit": visit,
        "patient": visit.patient,
        "steps": _steps(visit),
        "step": step,
        "product": visit.product_info,
        # Every step shows it: a dose can be decided (or prepared) on each of them.
        "safety_banner": safety_banner(visit.patient, exclude=visit),
        **extra,
    }


def _errors_to_form(form: Any, exc: FieldError) -> None:
    for field, msgs in exc.errors.items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)


def _conflict(request: HttpRequest, exc: Conflict) -> None:
    messages.error(request, str(exc))


def _submit(
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
        _conflict(request, exc)
        return None, 409
    except FieldError as exc:
        _errors_to_form(form, exc)
        return None, 400
    return done(result), 200


def _saved(request: HttpRequest, message: str, url_name: str, visit: Visit) -> HttpResponse:
    messages.success(request, message)
    return redirect(url_name, visit_id=visit.public_id)


# --- lists -----------------------------------------------------------------------------------------


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """Visits of a day (today by default), drafts first, and a patient search to start one."""
    _head(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None
    day = day or timezone.localdate()
    visits = (
        svc.visits_for(request.user)
        .filter(visit_date=day)
        .select_related("patient", "clinician", "nurse")
        .order_by("status", "patient__last_name")
    )
    drafts = (
        svc.visits_for(request.user)
        .filter(status=VisitStatus.DRAFT)
        .exclude(visit_date=day)
        .select_related("patient")
        .order_by("-visit_date")[:20]
    )
    query = request.GET.get("q", "").strip()[:100]
    found = search_patients(request.user, query)[:15] if query else []
    return render(
        request,
        "visits/today.html",
        {"day": day, "visits": visits, "drafts": drafts, "query": query, "found": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_visits(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A patient's visits, toxin given elsewhere, and the form to start a visit."""
    _head(request)
    patient = get_patient(request.user, patient_id)
    locations = Location.objects.filter(clinic_id=patient.clinic_id)
    last = svc.last_signed_visit(patient)
    initial: dict[str, Any] = {"indication": last.indication, "product": last.product} if last else {}
    if locations:
        initial["location"] = str(locations[0].public_id)
    indications = list(patient.patientindications.values_list("indication", flat=True))
    if not initial and indications:
        initial["indication"] = indications[0]
    form = f.VisitForm(request.POST or None, locations=locations, initial=initial)
    status = 200
    if request.method == "POST":
        if not perms.can_start_visit(request.user):
            raise PermissionDenied
        if form.is_valid():
            loc = (
                locations.filter(public_id=form.cleaned_data["location"]).first()
                if form.cleaned_data["location"]
                else None
            )
            try:
                visit = svc.create_visit(
                    patient,
                    actor=request.user,
                    visit_date=form.cleaned_data["visit_date"],
                    indication=form.cleaned_data["indication"],
                    product=form.cleaned_data["product"],
                    location=loc,
                )
            except FieldError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect("visits:screening", visit_id=visit.public_id)
        status = 400
    record_read(patient, actor=request.user, what="visits")
    return render(
        request,
        "visits/patient.html",
        {
            "patient": patient,
            "form": form,
            "visits": Visit.objects.filter(patient=patient).select_related("clinician", "signed_by"),
            "outside": OutsideInjection.objects.filter(patient=patient),
            "can_start": perms.can_start_visit(request.user),
            "can_record_outside": perms.can_record_outside_injection(request.user, patient),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outside_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Record toxin given elsewhere (cosmetic included): it counts for interval and dose checks."""
    patient = get_patient(request.user, patient_id)
    if not perms.can_record_outside_injection(request.user, patient):
        raise PermissionDenied
    form = f.OutsideInjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.record_outside_injection(patient, actor=request.user, **form.cleaned_data)
        except FieldError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Recorded the injection given elsewhere.")
            back = request.GET.get("next", "")
            if back.startswith("/visits/") and "//" not in back:
                return redirect(back)
            return redirect("visits:patient", patient_id=patient.public_id)
    return render(
        request,
        "visits/outside_form.html",
        {"form": form, "patient": patient},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the visit -------------------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    """A signed visit shows its latest note; a draft goes to its next step."""
    visit = svc.get_visit(request.user, visit_id)
    if not visit.is_signed:
        if not perms.can_prepare_visit(request.user, visit):
            record_read(visit.patient, actor=request.user, what="draft visit")
            return render(request, "visits/draft_readonly.html", _ctx(visit, "detail"))
        nxt = next((s["key"] for s in _steps(visit) if not s["done"]), "sign")
        return redirect(f"visits:{nxt}", visit_id=visit.public_id)
    note = visit.latest_note
    assert note is not None
    return _note_page(request, visit, note)


def _note_page(request: HttpRequest, visit: Visit, note: SignedNote) -> HttpResponse:
    record_read(visit.patient, actor=request.user, what=f"signed note v{note.version}")
    return render(
        request,
        "visits/note.html",
        {
            **note_context(note),
            "visit": visit,
            "patient": visit.patient,
            "versions": visit.notes_versions.select_related("signed_by"),
            "latest": note.version == visit.notes_versions.count(),
            "can_amend": perms.can_amend_visit(request.user, visit),
        },
    )


@login_required
def note_version(request: HttpRequest, visit_id: str, version: int) -> HttpResponse:
    visit = svc.get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).first()
    if note is None:
        raise Http404("No such note version.")
    return _note_page(request, visit, note)


def note_pdf_response(request: HttpRequest, note: SignedNote) -> HttpResponse:
    """The archived PDF of the version when the worker made it, else rendered now."""
    from toxinclinic.visits.pdf import render_note_pdf

    visit = note.visit
    record_read(visit.patient, actor=request.user, what=f"signed note v{note.version} PDF")
    if note.pdf:
        with note.pdf.open("rb") as fh:
            data = fh.read()
    else:
        data = render_note_pdf(note)
    resp = HttpResponse(data, content_type="application/pdf")
    name = f"injection-note-{visit.patient.mrn}-{visit.visit_date:%Y-%m-%d}-v{note.version}.pdf"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
def note_pdf(request: HttpRequest, visit_id: str, version: int) -> HttpResponse:
    visit = svc.get_visit(request.user, visit_id)
    note = visit.notes_versions.filter(version=version).first()
    if note is None:
        raise Http404("No such note version.")
    return note_pdf_response(request, note)


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, visit_id: str) -> HttpResponse:
    """The checklist: nothing starts answered unless the chart holds the fact (and then it says where
    from); saving with a question unanswered is refused, listing each one, and stores nothing."""
    visit = _prep(request, visit_id)
    if (r := _draft_or_note(visit)) is not None:
        return r
    # The toxin history is read once for the prefill, the checklist and its two history items.
    history = svc.history_sessions(visit.patient, exclude=visit)
    prefill = svc.screening_prefill(visit, history)
    saved = svc.screening_answers(visit)
    asked = [k for k in svc.SCREENING_KEYS if k not in prefill.not_applicable]
    shown: dict[str, bool] = saved if saved is not None else prefill.answers
    form = f.ScreeningForm(
        request.POST or None,
        keys=asked,
        initial={k: ("yes" if v else "no") for k, v in shown.items() if k in asked},
    )
    done, status = _submit(
        request,
        form,
        lambda: svc.save_screening(visit, _version(request), actor=request.user, answers=form.answers()),
        lambda v: _saved(request, "Screening saved.", "visits:screening", v),
    )
    if done is not None:
        return done
    items = (
        svc.screening_items(visit, saved, history, na=prefill.not_applicable, sources=prefill.sources)
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
        _ctx(
            visit,
            "screening",
            form=form,
            rows=rows,
            not_asked=not_asked,
            unanswered=unanswered,
            history_items=svc.history_items(visit, history),
            saved=saved is not None,
            concerns=_chart_concerns(visit),
        ),
        status=status,
    )


def _chart_concerns(visit: Visit) -> list[dict[str, Any]]:
    from toxinclinic.patients.screening import chart_concerns

    return chart_concerns(visit.patient)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = _prep(request, visit_id)
    if (r := _draft_or_note(visit)) is not None:
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
    done, status = _submit(
        request,
        form,
        lambda: svc.save_consent(visit, _version(request), actor=request.user, **form.cleaned_data),
        lambda v: _saved(request, "Consent recorded.", "visits:chart", v),
    )
    if done is not None:
        return done
    record_read(visit.patient, actor=request.user, what="visit consent")
    return render(request, "visits/consent.html", _ctx(visit, "consent", form=form), status=status)


def _posted_sites(request: HttpRequest, visit: Visit) -> list[svc.DraftSite]:
    """The chart form's sites: ``site`` = "id|muscle|side|ftp" plus ``units:<id>``; ``remove`` drops one."""
    remove = request.POST.get("remove", "")
    raw = []
    for meta in request.POST.getlist("site"):
        parts = meta.split("|")
        if len(parts) != 4 or parts[0] == remove:
            continue
        sid, muscle, side, ftp = parts
        raw.append(
            {
                "site_id": sid,
                "muscle": muscle,
                "side": side,
                "units": request.POST.get(f"units:{sid}", "").strip(),
                "follow_the_pain": ftp == "1",
            }
        )
    return svc.parse_sites(raw)


def _chart_page(
    request: HttpRequest,
    visit: Visit,
    sites: list[Any],
    *,
    status: int = 200,
    errors: list[str] | None = None,
) -> HttpResponse:
    check = None
    try:
        check = svc.dose_check(visit, sites) if sites else None
    except FieldError as exc:
        errors = (errors or []) + [m for ms in exc.errors.values() for m in ms]
    live = _live_context(visit, check, sites)
    preempt = visit.protocol.startswith("preempt")
    groups: dict[str, dict[str, Any]] = {}
    for s in sites:
        g = groups.setdefault(s.muscle, {"label": svc.anatomy.MUSCLE_LABELS[s.muscle], "sites": []})
        g["sites"].append(
            {
                "site_id": s.site_id,
                "label": svc.site_label(s.site_id, s.muscle, s.side),
                "muscle": s.muscle,
                "side": s.side,
                "units": s.units,
                "follow_the_pain": s.follow_the_pain,
                "removable": s.follow_the_pain or not _in_template(visit, s.site_id),
            }
        )
    rows = _map_rows(visit, sites)
    ctx = _ctx(
        visit,
        "chart",
        protocol_form=f.ProtocolForm(
            initial={"protocol": visit.protocol, "pain_side": visit.pain_side}, indication=visit.indication
        ),
        groups=groups.values(),
        errors=errors or [],
        add_muscles=f.muscle_choices(preempt),
        preempt=preempt,
        protocol_name=protocols.get(visit.protocol).name if visit.protocol in protocols.PROTOCOL_KEYS else "",
        **live,
        **map_context(rows, check.findings if check else (), interactive=True),
    )
    return render(request, "visits/chart.html", ctx, status=status)


def _in_template(visit: Visit, site_id: str) -> bool:
    if visit.protocol not in protocols.PROTOCOL_KEYS:
        return False
    return site_id in protocols.get(visit.protocol).site_ids()


def _map_rows(visit: Visit, sites: list[Any]) -> list[dict[str, Any]]:
    """Map points for draft sites: saved rows keep theirs; new ones get the engine's anatomy point."""
    rows = svc._site_rows(visit, [s if isinstance(s, svc.DraftSite) else _draft(s) for s in sites])
    return [
        {
            "site_id": r.site_id,
            "label": r.label,
            "muscle": r.muscle,
            "side": r.side,
            "units": r.units,
            "follow_the_pain": r.follow_the_pain,
            "view": r.view,
            "x": r.x,
            "y": r.y,
        }
        for r in rows
    ]


def _draft(s: Any) -> svc.DraftSite:
    return svc.DraftSite(s.site_id, s.muscle, s.side, s.units, s.follow_the_pain)


def _live_context(visit: Visit, check: Any, sites: list[Any] | None = None) -> dict[str, Any]:
    # The template the engine checks against: PREEMPT with follow-the-pain once such a site is charted.
    key = svc.protocol_for_check(visit, sites or [])
    tmpl = protocols.get(key) if key in protocols.PROTOCOL_KEYS else None
    return {
        "check": check,
        "flagged": " ".join(sorted(flagged_muscles(check.hard_stops))) if check else "",
        "totals": svc.totals_table(check) if check else [],
        "unit": f"{visit.product_info.brand} U",
        "template_total": tmpl.total_units if tmpl else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def chart(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Protocol, the map and the sites. Actions: ``protocol`` (prefill), ``save``, ``check`` (no save),
    ``add`` (a follow-the-pain or extra site), ``remove`` (drop one)."""
    visit = _prep(request, visit_id)
    if (r := _draft_or_note(visit)) is not None:
        return r
    if request.method == "GET":
        record_read(visit.patient, actor=request.user, what="visit chart")
        return _chart_page(request, visit, list(visit.sites.all()))
    action = request.POST.get("action", "save")
    if request.POST.get("remove"):
        action = "remove"
    try:
        if action == "protocol":
            form = f.ProtocolForm(request.POST, indication=visit.indication)
            if not form.is_valid():
                raise FieldError({k: [str(m) for m in v] for k, v in form.errors.items()})
            visit = svc.apply_protocol(
                visit,
                _version(request),
                actor=request.user,
                key=form.cleaned_data["protocol"],
                pain_side=form.cleaned_data.get("pain_side") or "both",
            )
            messages.success(request, "Sites prefilled from the template.")
            return redirect("visits:chart", visit_id=visit.public_id)
        sites = _posted_sites(request, visit)
        if action == "check":
            return _chart_page(request, visit, sites)
        if action == "add":
            sites.append(
                svc.new_site(
                    visit, sites, request.POST.get("add_muscle", ""), request.POST.get("add_side", "")
                )
            )
        visit = svc.save_injections(visit, _version(request), actor=request.user, sites=sites)
    except Conflict as exc:
        _conflict(request, exc)
        try:
            posted = _posted_sites(request, visit)
        except FieldError:
            posted = list(visit.sites.all())
        visit.refresh_from_db()
        # The other person's save stays; the page shows this user's entries so nothing typed is lost.
        return _chart_page(request, visit, posted, status=409)
    except FieldError as exc:
        visit.refresh_from_db()
        msgs = [m for ms in exc.errors.values() for m in ms]
        return _chart_page(request, visit, list(visit.sites.all()), status=400, errors=msgs)
    messages.success(request, "Chart saved.")
    return redirect(reverse("visits:chart", args=[visit.public_id]) + "#map")


@login_required
@require_POST
def check(request: HttpRequest, visit_id: str) -> HttpResponse:
    """The live check: the draft sites as posted, checked by ``dosing.check_session``; an HTML fragment."""
    visit = _prep(request, visit_id)
    sites: list[svc.DraftSite] = []
    try:
        sites = _posted_sites(request, visit)
        result = svc.dose_check(visit, sites) if sites else None
        errors: list[str] = []
    except FieldError as exc:
        result, errors = None, [m for ms in exc.errors.values() for m in ms]
    return render(
        request,
        "visits/_live_check.html",
        {"visit": visit, "errors": errors, **_live_context(visit, result, sites)},
        status=200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vials(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = _prep(request, visit_id)
    if (r := _draft_or_note(visit)) is not None:
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
    done, status = _submit(
        request,
        form,
        lambda: svc.add_vial_use(visit, _version(request), actor=request.user, **_vial_kwargs(form)),
        lambda v: _saved(request, "Vial recorded.", "visits:vials", v),
    )
    if done is not None:
        return done
    record_read(visit.patient, actor=request.user, what="visit vials")
    return render(
        request,
        "visits/vials.html",
        _ctx(
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
    visit = _prep(request, visit_id)
    if (r := _draft_or_note(visit)) is not None:
        return r
    try:
        svc.remove_vial_use(visit, _version(request), actor=request.user, use_id=use_id)
        messages.success(request, "Vial returned to stock.")
    except Conflict as exc:
        _conflict(request, exc)
    except FieldError as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    return redirect("visits:vials", visit_id=visit.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Review everything the engine says and sign; a prescriber may override a hard stop with a reason."""
    visit = svc.get_visit(request.user, visit_id)
    if not (perms.can_prepare_visit(request.user, visit) or perms.can_sign_this_visit(request.user, visit)):
        raise PermissionDenied
    if (r := _draft_or_note(visit)) is not None:
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
                    visit = svc.update_visit(
                        visit,
                        _version(request),
                        actor=request.user,
                        notes=form.cleaned_data["notes"],
                        guidance=form.cleaned_data["guidance"],
                    )
                    version = visit.version
                else:
                    version = _version(request)
                svc.sign_visit(
                    visit,
                    request.user,
                    expected_version=version,
                    overrides=overrides,
                    acknowledge_warnings=form.cleaned_data["acknowledge_warnings"],
                )
            except Conflict as exc:
                _conflict(request, exc)
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
    rv = svc.review(
        visit,
        {
            k: v
            for k, v in overrides.items()
            if can_override and k in dosing.RULES and k not in svc.NOT_OVERRIDABLE
        },
    )
    preview: list[Any] = []
    if rv.check is not None and rv.uses:
        # The sites and vials the review just loaded (no second read), as signing bills them.
        try:
            preview = billing.lines(
                svc.engine_session(visit, rv.sites, rv.uses), guidance=visit.guidance or None
            )
        except (ValueError, FieldError):
            preview = []
    return render(
        request,
        "visits/sign.html",
        _ctx(
            visit,
            "sign",
            form=form,
            review=rv,
            sign_errors=sign_errors,
            overrides=overrides,
            can_sign=can_sign,
            can_override=can_override,
            not_overridable=svc.NOT_OVERRIDABLE,
            preview=preview,
            uses=rv.uses,
            consent_row=rv.consent,
            totals=svc.totals_table(rv.check) if rv.check else [],
            unit=f"{visit.product_info.brand} U",
            **map_context(rv.sites, rv.check.findings if rv.check else ()),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = svc.get_visit(request.user, visit_id)
    if not perms.can_amend_visit(request.user, visit):
        raise PermissionDenied
    if not visit.is_signed:
        return redirect("visits:sign", visit_id=visit.public_id)
    form = f.AmendForm(request.POST or None, initial={"notes": visit.notes})
    done, status = _submit(
        request,
        form,
        lambda: svc.amend_visit(
            visit,
            request.user,
            reason=form.cleaned_data["reason"],
            notes=form.cleaned_data["notes"],
            expected_version=_version(request),
        ),
        lambda note: _saved(
            request, f"Amendment saved as note version {note.version}.", "visits:detail", visit
        ),
    )
    if done is not None:
        return done
    record_read(visit.patient, actor=request.user, what="signed note (amendment form)")
    return render(
        request, "visits/amend.html", {"visit": visit, "patient": visit.patient, "form": form}, status=status
    )


@login_required
def billing_list(request: HttpRequest) -> HttpResponse:
    """Billing lines of signed visits, newest first, for the coordinator."""
    if not perms.can_view_billing(request.user):
        raise PermissionDenied
    qs = (
        svc.visits_for(request.user)
        .filter(status=VisitStatus.SIGNED)
        .select_related("patient")
        .order_by("-visit_date", "-signed_at")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    lines: dict[int, list[BillingLine]] = {}
    for b in BillingLine.objects.filter(visit_id__in=[v.pk for v in page]).order_by("visit_id", "position"):
        lines.setdefault(b.visit_id, []).append(b)
    rows = [{"visit": v, "lines": lines.get(v.pk, [])} for v in page]
    return render(request, "visits/billing.html", {"page": page, "rows": rows})

"""Charting a visit: the protocol (a template or the last session), the head-and-neck map and the sites,
and the live check (the engine's verdict on the draft, as an HTML fragment the chart page's script asks for).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from toxinclinic.audit.services import record_read
from toxinclinic.clinical import anatomy, protocols
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.visits import charting
from toxinclinic.visits import forms as f
from toxinclinic.visits.checks import DraftSite, dose_check, protocol_for_check
from toxinclinic.visits.mapsvg import flagged_muscles, map_context
from toxinclinic.visits.models import Visit, site_label
from toxinclinic.visits.schemas import totals_table
from toxinclinic.visits.view_helpers import conflict, draft_or_note, page_context, posted_version, prep


def _posted_sites(request: HttpRequest, visit: Visit) -> list[DraftSite]:
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
    return charting.parse_sites(raw)


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
        check = dose_check(visit, sites) if sites else None
    except FieldError as exc:
        errors = (errors or []) + [m for ms in exc.errors.values() for m in ms]
    live = _live_context(visit, check, sites)
    preempt = visit.protocol.startswith("preempt")
    groups: dict[str, dict[str, Any]] = {}
    for s in sites:
        g = groups.setdefault(s.muscle, {"label": anatomy.MUSCLE_LABELS[s.muscle], "sites": []})
        g["sites"].append(
            {
                "site_id": s.site_id,
                "label": site_label(s.site_id, s.muscle, s.side),
                "muscle": s.muscle,
                "side": s.side,
                "units": s.units,
                "follow_the_pain": s.follow_the_pain,
                "removable": s.follow_the_pain or not _in_template(visit, s.site_id),
            }
        )
    rows = _map_rows(visit, sites)
    ctx = page_context(
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
    rows = charting.site_rows(visit, [s if isinstance(s, DraftSite) else _draft(s) for s in sites])
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


def _draft(s: Any) -> DraftSite:
    return DraftSite(s.site_id, s.muscle, s.side, s.units, s.follow_the_pain)


def _live_context(visit: Visit, check: Any, sites: list[Any] | None = None) -> dict[str, Any]:
    # The template the engine checks against: PREEMPT with follow-the-pain once such a site is charted.
    key = protocol_for_check(visit, sites or [])
    tmpl = protocols.get(key) if key in protocols.PROTOCOL_KEYS else None
    return {
        "check": check,
        "flagged": " ".join(sorted(flagged_muscles(check.hard_stops))) if check else "",
        "totals": totals_table(check) if check else [],
        "unit": f"{visit.product_info.brand} U",
        "template_total": tmpl.total_units if tmpl else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def chart(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Protocol, the map and the sites. Actions: ``protocol`` (prefill), ``save``, ``check`` (no save),
    ``add`` (a follow-the-pain or extra site), ``remove`` (drop one)."""
    visit = prep(request, visit_id)
    if (r := draft_or_note(visit)) is not None:
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
            visit = charting.apply_protocol(
                visit,
                posted_version(request),
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
                charting.new_site(
                    visit, sites, request.POST.get("add_muscle", ""), request.POST.get("add_side", "")
                )
            )
        visit = charting.save_injections(visit, posted_version(request), actor=request.user, sites=sites)
    except Conflict as exc:
        conflict(request, exc)
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
    visit = prep(request, visit_id)
    sites: list[DraftSite] = []
    try:
        sites = _posted_sites(request, visit)
        result = dose_check(visit, sites) if sites else None
        errors: list[str] = []
    except FieldError as exc:
        result, errors = None, [m for ms in exc.errors.values() for m in ms]
    return render(
        request,
        "visits/_live_check.html",
        {"visit": visit, "errors": errors, **_live_context(visit, result, sites)},
        status=200,
    )

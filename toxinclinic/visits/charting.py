"""Charting a draft visit: the sites as edited (validated, each error naming the site and the limit),
a template's or the last session's sites, and one more site; saved through ``drafts.edit_draft``.

Map points come from the engine's anatomy data; units are the visit product's own U.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from toxinclinic.accounts.models import Role
from toxinclinic.clinical import anatomy, dosing, products, protocols
from toxinclinic.core.errors import FieldError
from toxinclinic.visits.checks import MAX_UNITS, DraftSite
from toxinclinic.visits.drafts import edit_draft
from toxinclinic.visits.models import InjectionSite, Visit, VisitStatus, site_label

LAST_SESSION = "last_session"


def site_rows(visit: Visit, sites: Sequence[DraftSite]) -> list[InjectionSite]:
    """Rows with map positions from the engine's anatomy data (existing rows keep theirs)."""
    known = {s.site_id: s for s in visit.sites.all()}
    rows = []
    per_ms: dict[tuple[str, str], int] = {}
    for i, s in enumerate(sites):
        old = known.get(s.site_id)
        if old is not None and (old.muscle, old.side) == (s.muscle, s.side):
            view, x, y = old.view, old.x, old.y
        else:
            n = per_ms.get((s.muscle, s.side), 0)
            view, x, y = anatomy.site_position(s.muscle, s.side, _position_index(s, n))
        per_ms[(s.muscle, s.side)] = per_ms.get((s.muscle, s.side), 0) + 1
        rows.append(
            InjectionSite(
                visit=visit,
                site_id=s.site_id,
                muscle=s.muscle,
                side=s.side,
                units=s.units,
                follow_the_pain=s.follow_the_pain,
                view=view,
                x=x,
                y=y,
                position=i,
            )
        )
    return rows


def _position_index(s: DraftSite, fallback: int) -> int:
    """Map point index for a site id made like the engine's (``muscle_side_[ftp_]n``)."""
    tail = s.site_id.rsplit("_", 1)[-1]
    if not tail.isdigit():
        return fallback
    n = int(tail)
    if s.follow_the_pain:
        return protocols.PREEMPT_SITES.get(s.muscle, (0, ()))[0] + n - 1
    return n - 1


def parse_sites(raw: Iterable[Mapping[str, Any]]) -> list[DraftSite]:
    """Validate edited sites: every error names the site and the limit; the engine checks muscle/side."""
    out: list[DraftSite] = []
    errors: list[str] = []
    seen: set[str] = set()
    for i, r in enumerate(raw, 1):
        sid = str(r.get("site_id") or "").strip()
        muscle, side = str(r.get("muscle") or ""), str(r.get("side") or "")
        label = site_label(sid, muscle, side) if sid else f"site {i}"
        if not sid or len(sid) > 60:
            errors.append(f"site {i}: site_id is required (at most 60 characters).")
            continue
        if sid in seen:
            errors.append(f"{label}: site_id {sid} appears more than once.")
            continue
        seen.add(sid)
        try:
            units = Decimal(str(r.get("units")))
        except (InvalidOperation, ValueError):
            errors.append(f"{label}: units {r.get('units')!r} is not a number.")
            continue
        if not units.is_finite() or units <= 0:
            errors.append(f"{label}: units must be more than 0 U (remove the site instead of entering 0).")
            continue
        if units > MAX_UNITS or units != units.quantize(Decimal("0.01")):
            errors.append(f"{label}: units must be at most {MAX_UNITS} U with at most 2 decimals.")
            continue
        try:
            dosing.Injection(muscle, side, float(units), sid)
        except ValueError as exc:
            errors.append(f"{label}: {exc}")
            continue
        out.append(DraftSite(sid, muscle, side, units, bool(r.get("follow_the_pain"))))
    if errors:
        raise FieldError({"sites": errors})
    return out


def save_injections(
    visit: Visit, expected_version: int | None, *, actor: Any, sites: Sequence[DraftSite]
) -> Visit:
    """Replace the charted sites (the whole list, as edited)."""

    def apply(v: Visit) -> dict[str, Any]:
        rows = site_rows(v, sites)
        v.sites.all().delete()
        InjectionSite.objects.bulk_create(rows)
        if getattr(actor, "role", None) == Role.CLINICIAN and v.clinician_id is None:
            v.clinician = actor
        return {"sites": [[s.site_id, str(s.units)] for s in sites]}

    return edit_draft(visit, expected_version, actor=actor, action="visit.injections_saved", apply=apply)


def protocol_sites(visit: Visit, key: str, pain_side: str = "both") -> tuple[str, list[DraftSite]]:
    """Sites of a template (engine) or of the patient's last signed session of this indication."""
    if key == LAST_SESSION:
        last = (
            Visit.objects.filter(
                patient=visit.patient, status=VisitStatus.SIGNED, indication=visit.indication
            )
            .exclude(pk=visit.pk)
            .order_by("-visit_date")
            .first()
        )
        if last is None:
            raise FieldError({"protocol": ["This patient has no signed session of this indication to copy."]})
        return last.protocol, [
            DraftSite(s.site_id, s.muscle, s.side, s.units, s.follow_the_pain) for s in last.sites.all()
        ]
    if key not in protocols.PROTOCOL_KEYS:
        raise FieldError(
            {"protocol": [f"Choose one of: {', '.join(protocols.PROTOCOL_KEYS)}, {LAST_SESSION}."]}
        )
    if key.startswith("preempt"):
        if pain_side not in ("left", "right", "both"):
            raise FieldError({"pain_side": ["Choose left, right or both."]})
        tmpl = protocols.preempt(key == "preempt_ftp", pain_side=pain_side)
    else:
        tmpl = protocols.get(key)
    if tmpl.indication != visit.indication:
        raise FieldError(
            {
                "protocol": [
                    f"{tmpl.name} is a {products.INDICATION_LABELS[tmpl.indication].lower()} template."
                ]
            }
        )
    return key, [
        DraftSite(s.site_id, s.muscle, s.side, Decimal(str(s.units)), s.follow_the_pain) for s in tmpl.sites
    ]


def apply_protocol(
    visit: Visit, expected_version: int | None, *, actor: Any, key: str, pain_side: str = "both"
) -> Visit:
    protocol, sites = protocol_sites(visit, key, pain_side)

    def apply(v: Visit) -> dict[str, Any]:
        v.protocol = protocol
        v.pain_side = pain_side
        rows = site_rows(v, sites)
        v.sites.all().delete()
        InjectionSite.objects.bulk_create(rows)
        return {"protocol": key, "sites": len(rows)}

    return edit_draft(visit, expected_version, actor=actor, action="visit.protocol_applied", apply=apply)


def new_site(visit: Visit, existing: Sequence[DraftSite], muscle: str, side: str) -> DraftSite:
    """One more site on ``muscle``/``side``: a follow-the-pain site (5 U) on a PREEMPT visit, else an
    extra site with the template's suggested units per site. The id follows the engine's naming."""
    try:
        anatomy.check_muscle_side(muscle, side)
    except ValueError as exc:
        raise FieldError({"add_site": [str(exc)]}) from exc
    taken = {s.site_id for s in existing}
    ftp = visit.protocol.startswith("preempt") and muscle in protocols.FTP_MAX_SITES
    if visit.protocol.startswith("preempt") and not ftp:
        raise FieldError(
            {
                "add_site": [
                    "Follow-the-pain sites go into "
                    + ", ".join(anatomy.MUSCLE_LABELS[m].lower() for m in protocols.FTP_MAX_SITES)
                    + "."
                ]
            }
        )
    n = 1
    while f"{muscle}_{side}_{'ftp_' if ftp else ''}{n}" in taken:
        n += 1
    if ftp or visit.protocol.startswith("preempt"):
        units = Decimal(protocols.PREEMPT_UNITS_PER_SITE)
    elif muscle in protocols.CD_DEFAULTS:
        total, k = protocols.CD_DEFAULTS[muscle]
        units = Decimal(str(total / k))
    else:
        units = Decimal(protocols.PREEMPT_UNITS_PER_SITE)
    return DraftSite(f"{muscle}_{side}_{'ftp_' if ftp else ''}{n}", muscle, side, units, ftp)

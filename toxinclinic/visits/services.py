"""Use cases of the injection visit: scoped look-ups, version-checked draft edits, the live dose check,
signing (freeze, bill, recall, signal) and amendments.

Every clinical verdict comes from ``toxinclinic.clinical``: this module gathers the inputs (chart, history,
vials), calls the engine, and stores or refuses on what it says. Units are the visit product's own U.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from toxinclinic.accounts.locale import format_datetime
from toxinclinic.accounts.models import Role
from toxinclinic.accounts.permissions import can_override_dose_stop, can_sign_visit, is_staff_member
from toxinclinic.audit.services import log_action, record_change, snapshot
from toxinclinic.clinical import aftercare, anatomy, billing, dosing, products, protocols, recall, screening
from toxinclinic.clinical._common import fmt_units
from toxinclinic.core.errors import FieldError
from toxinclinic.core.signals import visit_signed
from toxinclinic.inventory.models import Vial, VialStatus
from toxinclinic.patients.models import Patient, PatientIndication
from toxinclinic.patients.services import Conflict, parse_public_id
from toxinclinic.visits.history import (  # noqa: F401 -- re-exported
    CLINIC_DOSE_POLICY,
    clinic_date,
    clinic_dates,
    history_sessions,
    last_signed_visit,
)
from toxinclinic.visits.models import (
    BillingLine,
    Consent,
    DoseOverride,
    InjectionSite,
    OutsideInjection,
    SignedNote,
    VialUse,
    Visit,
    VisitStatus,
    site_label,
)
from toxinclinic.visits.screening import (  # noqa: F401 -- re-exported: the views, API and demo use them here
    ASK_EVERY_VISIT,
    SCREENING_KEYS,
    clean_answers,
    history_items,
    saved_not_applicable,
    screening_answers,
    screening_items,
    screening_prefill,
)

LAST_SESSION = "last_session"
#: No dose entry may exceed the largest vial of any product (Myobloc 10,000 U), in that product's U.
MAX_UNITS = Decimal(max(size for p in products.PRODUCTS.values() for size in p.vial_sizes))


class NoteSigned(Conflict):
    """The visit is signed: its note is immutable; a correction is an amendment."""

    def __init__(self, visit: Visit) -> None:
        Exception.__init__(
            self,
            f"This visit's note was signed on {format_datetime(visit.signed_at, visit.clinic)} and "
            "cannot be edited. Add an amendment with a reason instead.",
        )
        self.current_version = visit.version


# --- look-ups -------------------------------------------------------------------------------------


def visits_for(user: Any) -> QuerySet[Visit]:
    """Visits the user may see: every visit of their clinic for staff; none for anybody else."""
    if not is_staff_member(user):
        return Visit.objects.none()
    return Visit.objects.filter(clinic_id=user.clinic_id)


def get_visit(user: Any, public_id: str | uuid.UUID) -> Visit:
    """The visit if the user may see it; 404 otherwise (never a hint that the id exists)."""
    vid = parse_public_id(public_id)
    visit = (
        visits_for(user)
        .filter(public_id=vid)
        .select_related("patient", "clinic", "location", "nurse", "clinician", "signed_by")
        .first()
    )
    if visit is None:
        raise Http404("No such visit.")
    return visit


# --- history and the engine session ---------------------------------------------------------------


@dataclass(frozen=True)
class DraftSite:
    """A site as edited (before saving): units in U of the visit's product."""

    site_id: str
    muscle: str
    side: str
    units: Decimal
    follow_the_pain: bool = False


def protocol_for_check(visit: Visit, sites: Sequence[DraftSite | InjectionSite]) -> str | None:
    """The template key the engine checks against; PREEMPT with any follow-the-pain site is
    ``preempt_ftp`` (as ``dosing.session_from_protocol`` does). None when it does not fit the indication."""
    key = visit.protocol
    if not key or key not in protocols.PROTOCOL_KEYS:
        return None
    if key.startswith("preempt") and any(s.follow_the_pain for s in sites):
        key = "preempt_ftp"
    if protocols.get(key).indication != visit.indication:
        return None
    return key


def engine_session(
    visit: Visit,
    sites: Sequence[DraftSite | InjectionSite] | None = None,
    uses: Sequence[VialUse] | None = None,
) -> dosing.Session:
    """The visit as an engine ``Session``. ``sites`` defaults to the saved sites, ``uses`` to the vials
    recorded. Raises FieldError (field ``injections``) when the engine refuses a site."""
    sites = list(visit.sites.all()) if sites is None else list(sites)
    uses = list(visit.vial_uses.select_related("vial")) if uses is None else list(uses)
    injections = []
    errors: list[str] = []
    for s in sites:
        try:
            injections.append(dosing.Injection(s.muscle, s.side, float(s.units), s.site_id))
        except ValueError as exc:
            errors.append(f"{site_label(s.site_id, s.muscle, s.side)}: {exc}")
    if errors:
        raise FieldError({"injections": errors})
    vials = tuple(
        dosing.Vial(u.vial.size_units, float(u.vial.diluent_ml) if u.vial.diluent_ml else None) for u in uses
    )
    discarded = float(sum((u.units_discarded for u in uses), Decimal(0))) if uses else None
    try:
        return dosing.Session(
            visit.visit_date,
            visit.product,
            visit.indication,
            tuple(injections),
            protocol=protocol_for_check(visit, sites),
            vials=vials,
            discarded_units=discarded,
        )
    except ValueError as exc:
        raise FieldError({"injections": [str(exc)]}) from exc


def dose_check(
    visit: Visit,
    sites: Sequence[DraftSite | InjectionSite] | None = None,
    overrides: Mapping[str, str] | None = None,
    history: list[dosing.Session] | None = None,
    uses: Sequence[VialUse] | None = None,
) -> dosing.DoseCheck:
    """``dosing.check_session`` for the visit against the patient's history, with the clinic policy."""
    session = engine_session(visit, sites, uses)
    hist = history_sessions(visit.patient, exclude=visit) if history is None else history
    return dosing.check_session(
        session, hist, CLINIC_DOSE_POLICY, overrides, format_date=clinic_dates(visit.patient.clinic)
    )


def totals_table(check: dosing.DoseCheck) -> list[dict[str, Any]]:
    """Per-muscle rows (left, right, midline, total) from the engine's totals, in anatomy order."""
    rows = []
    for muscle in anatomy.MUSCLES:
        if muscle not in check.units_by_muscle:
            continue
        by_side = check.units_by_muscle_side.get(muscle, {})
        rows.append(
            {
                "muscle": muscle,
                "label": anatomy.MUSCLE_LABELS[muscle],
                "left": by_side.get("left", 0.0),
                "right": by_side.get("right", 0.0),
                "midline": by_side.get("midline", 0.0),
                "total": check.units_by_muscle[muscle],
            }
        )
    return rows


def site_dict(s: InjectionSite) -> dict[str, Any]:
    """A charted site as JSON (the API and the frozen note): units in U, map point in the view's box."""
    return {
        "site_id": s.site_id,
        "label": s.label,
        "muscle": s.muscle,
        "side": s.side,
        "units": float(s.units),
        "follow_the_pain": s.follow_the_pain,
        "view": s.view,
        "x": s.x,
        "y": s.y,
    }


def finding_dict(f: dosing.Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "limit": f.limit,
        "value": f.value,
        "muscle": f.muscle,
        "side": f.side,
        "override_reason": f.override_reason,
    }


def check_payload(check: dosing.DoseCheck) -> dict[str, Any]:
    """What the live check returns: the engine's totals and findings, nothing computed here."""
    return {
        "ok": check.ok,
        "product": check.product,
        "total_units": check.total_units,
        "units_by_side": check.units_by_side,
        "by_muscle": totals_table(check),
        "hard_stops": [finding_dict(f) for f in check.hard_stops],
        "overridden": [finding_dict(f) for f in check.overridden],
        "warnings": [finding_dict(f) for f in check.warnings],
        "info": [finding_dict(f) for f in check.info],
    }


# --- screening -------------------------------------------------------------------------------------

# --- draft edits ------------------------------------------------------------------------------------


def _aware(value: Any) -> Any:
    """A date-time without a UTC offset (an API client's, like the HTML form's) is the clinic's local
    time; comparing it with ``now`` as it came would fail."""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _edit(
    visit: Visit, expected_version: int | None, *, actor: Any, action: str, apply: Callable[[Visit], Any]
) -> Visit:
    """Apply ``apply`` to the locked draft if nobody saved since ``expected_version``; audited."""
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
        if locked.is_signed:
            raise NoteSigned(locked)
        if expected_version is None:
            raise FieldError({"version": ["Send the version you loaded, so a stale save can be detected."]})
        if locked.version != expected_version:
            raise Conflict(locked.version)
        before = snapshot(locked)
        data = apply(locked)
        locked.version += 1
        locked.save()
        record_change(action, locked, before, actor=actor, data=data if isinstance(data, dict) else None)
    return locked


def _before_birth(patient: Patient, day: dt.date) -> str | None:
    """The message when ``day`` is before the patient was born (a typo such as 0001 for 2025), else None."""
    if day < patient.date_of_birth:
        return (
            f"{day:%d %b} {day.year:04d} is before the patient's date of birth "
            f"({patient.date_of_birth:%d %b %Y})."
        )
    return None


def create_visit(
    patient: Patient,
    *,
    actor: Any,
    visit_date: dt.date,
    indication: str,
    product: str,
    location: Any = None,
) -> Visit:
    errors: dict[str, list[str]] = {}
    if indication not in products.INDICATIONS:
        errors["indication"] = [f"Choose one of: {', '.join(products.INDICATIONS)}."]
    if product not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    today = timezone.localdate()
    if visit_date > today:
        errors["visit_date"] = [
            f"A visit is documented on the day of treatment; {clinic_date(visit_date, patient.clinic)} "
            "is in the future."
        ]
    elif (born := _before_birth(patient, visit_date)) is not None:
        errors["visit_date"] = [born]
    if location is not None and location.clinic_id != patient.clinic_id:
        errors["location"] = ["Choose one of your clinic's locations."]
    if errors:
        raise FieldError(errors)
    visit = Visit(
        clinic_id=patient.clinic_id,
        patient=patient,
        location=location,
        visit_date=visit_date,
        indication=indication,
        product=product,
        created_by=actor,
        nurse=actor if getattr(actor, "role", None) == Role.NURSE else None,
        clinician=actor if getattr(actor, "role", None) == Role.CLINICIAN else None,
    )
    with transaction.atomic():
        visit.save()
        record_change("visit.created", visit, None, actor=actor)
    return visit


def update_visit(visit: Visit, expected_version: int | None, *, actor: Any, **changes: Any) -> Visit:
    """Change the visit's own fields (product, indication, guidance, note text, location, date)."""
    allowed = {"product", "indication", "guidance", "notes", "location", "visit_date", "pain_side"}
    unknown = set(changes) - allowed
    if unknown:
        raise FieldError({k: ["This field cannot be changed here."] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if "product" in changes and changes["product"] not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    if "indication" in changes and changes["indication"] not in products.INDICATIONS:
        errors["indication"] = [f"Choose one of: {', '.join(products.INDICATIONS)}."]
    if "guidance" in changes and changes["guidance"] not in ("", *billing.GUIDANCE):
        errors["guidance"] = ["Choose none, emg or estim."]
    if "visit_date" in changes and changes["visit_date"] > timezone.localdate():
        errors["visit_date"] = ["The visit date cannot be in the future."]
    elif "visit_date" in changes and (born := _before_birth(visit.patient, changes["visit_date"])):
        errors["visit_date"] = [born]
    loc = changes.get("location")
    if loc is not None and loc.clinic_id != visit.clinic_id:
        errors["location"] = ["Choose one of your clinic's locations."]
    if errors:
        raise FieldError(errors)

    def apply(v: Visit) -> dict[str, Any]:
        if "product" in changes and changes["product"] != v.product and v.vial_uses.exists():
            raise FieldError(
                {"product": ["Remove the vials recorded for this visit before changing product."]}
            )
        if "indication" in changes and changes["indication"] != v.indication and v.sites.exists():
            raise FieldError(
                {
                    "indication": [
                        "Remove the charted sites (or choose a template) before changing indication."
                    ]
                }
            )
        for k, value in changes.items():
            setattr(v, k, value)
        if v.protocol and protocols.get(v.protocol).indication != v.indication:
            v.protocol = ""
        return {}

    return _edit(visit, expected_version, actor=actor, action="visit.updated", apply=apply)


def save_screening(
    visit: Visit, expected_version: int | None, *, actor: Any, answers: Mapping[str, Any]
) -> Visit:
    """Store the screening when every question that applies is answered yes or no; otherwise refuse,
    naming each unanswered question, and store nothing. The sources kept are the chart's for the
    answers that agree with it."""
    clean, na = clean_answers(visit, answers)
    prefill = screening_prefill(visit)

    def apply(v: Visit) -> dict[str, Any]:
        now = timezone.now()
        v.screening = {
            "answers": clean,
            "not_applicable": na,
            "sources": {k: src for k, src in prefill.sources.items() if clean.get(k) is True},
            "at": now.isoformat(),
        }
        v.screened_by = actor
        v.screened_at = now
        if getattr(actor, "role", None) == Role.NURSE and v.nurse_id is None:
            v.nurse = actor
        return {"screening": clean, "not_applicable": na}

    return _edit(visit, expected_version, actor=actor, action="visit.screened", apply=apply)


#: No consent is recorded before this day, nor before the patient's birth (the earlier bound is for a
#: chart without a date of birth).
CONSENT_EARLIEST = dt.date(1900, 1, 1)


def save_consent(visit: Visit, expected_version: int | None, *, actor: Any, **data: Any) -> Visit:
    errors: dict[str, list[str]] = {}
    if not str(data.get("consenter_name") or "").strip():
        errors["consenter_name"] = ["Enter the name of the person who consented."]
    if data.get("consented_by") not in ("patient", "representative"):
        errors["consented_by"] = ["Choose the patient or a legal representative."]
    raw_at = data.get("consented_at")
    earliest = max(CONSENT_EARLIEST, visit.patient.date_of_birth or CONSENT_EARLIEST)
    if not isinstance(raw_at, dt.datetime):
        errors["consented_at"] = ["Enter the date and time consent was given."]
    elif raw_at.date() < earliest:
        # Checked before the time zone is applied: year 1 cannot be converted to UTC (an overflow).
        errors["consented_at"] = [
            f"Consent time {raw_at:%d %b %Y} is before the patient's date of birth ({earliest:%d %b %Y}); "
            "enter when consent was given."
            if earliest > CONSENT_EARLIEST
            else f"Consent time must be on or after {CONSENT_EARLIEST:%d %b %Y}."
        ]
    at = _aware(raw_at)
    if "consented_at" not in errors and at > timezone.now() + dt.timedelta(minutes=5):
        errors["consented_at"] = ["Consent time cannot be in the future."]
    if errors:
        raise FieldError(errors)

    def apply(v: Visit) -> dict[str, Any]:
        consent = Consent.objects.filter(visit=v).first() or Consent(visit=v)
        for k in (
            "discussed_benefits",
            "discussed_common_effects",
            "discussed_serious_effects",
            "discussed_alternatives",
        ):
            setattr(consent, k, bool(data.get(k)))
        consent.consented_by = data["consented_by"]
        consent.consenter_name = str(data["consenter_name"]).strip()[:200]
        consent.consented_at = at
        consent.notes = str(data.get("notes") or "")[:500]
        consent.recorded_by = actor
        consent.save()
        return {"consent": snapshot(consent)}

    return _edit(visit, expected_version, actor=actor, action="visit.consent_recorded", apply=apply)


def _site_rows(visit: Visit, sites: Sequence[DraftSite]) -> list[InjectionSite]:
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
        rows = _site_rows(v, sites)
        v.sites.all().delete()
        InjectionSite.objects.bulk_create(rows)
        if getattr(actor, "role", None) == Role.CLINICIAN and v.clinician_id is None:
            v.clinician = actor
        return {"sites": [[s.site_id, str(s.units)] for s in sites]}

    return _edit(visit, expected_version, actor=actor, action="visit.injections_saved", apply=apply)


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
        rows = _site_rows(v, sites)
        v.sites.all().delete()
        InjectionSite.objects.bulk_create(rows)
        return {"protocol": key, "sites": len(rows)}

    return _edit(visit, expected_version, actor=actor, action="visit.protocol_applied", apply=apply)


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


# --- vials -------------------------------------------------------------------------------------------


def add_vial_use(
    visit: Visit,
    expected_version: int | None,
    *,
    actor: Any,
    vial_id: str | uuid.UUID,
    diluent_ml: Decimal,
    reconstituted_at: dt.datetime,
    units_administered: Decimal,
    units_discarded: Decimal,
    now: dt.datetime | None = None,
) -> Visit:
    """Open a vial of the clinic's stock for this visit. Refuses another clinic's or an unknown vial,
    a used one, another product, an expired lot, a vial past its beyond-use time, and more units
    administered + discarded than the vial holds."""
    now = now or timezone.now()
    reconstituted_at = _aware(reconstituted_at)
    try:
        vid = uuid.UUID(str(vial_id))
    except ValueError:
        vid = None
    vial = (
        Vial.objects.filter(public_id=vid, clinic_id=visit.clinic_id).select_related("lot").first()
        if vid
        else None
    )
    if vial is None:
        raise FieldError({"vial": ["No such vial in this clinic's stock; pick one from the list."]})
    errors: dict[str, list[str]] = {}
    lot = vial.lot
    prod = products.get(lot.product)
    if vial.status != VialStatus.IN_STOCK:
        errors["vial"] = [f"This vial is not in stock (status: {vial.get_status_display().lower()})."]
    elif lot.product != visit.product:
        errors["vial"] = [
            f"This vial is {prod.brand}; the visit is {visit.product_info.brand} "
            "(units are not interchangeable)."
        ]
    elif lot.is_expired(visit.visit_date):
        errors["vial"] = [
            f"Lot {lot.lot_number} expired on {lot.expiry_date:%d %b %Y}, before this visit "
            f"({visit.visit_date:%d %b %Y}); do not use it — remove it from stock."
        ]
    if diluent_ml is None or not (Decimal("0") < diluent_ml <= Decimal("10")):
        errors["diluent_ml"] = ["Diluent volume must be more than 0 and at most 10 mL."]
    if not isinstance(reconstituted_at, dt.datetime):
        errors["reconstituted_at"] = ["Enter the date and time the vial was reconstituted."]
    else:
        if reconstituted_at > now + dt.timedelta(minutes=5):
            errors["reconstituted_at"] = ["Reconstitution time cannot be in the future."]
        else:
            bud = Vial.beyond_use(lot.product, reconstituted_at)
            if bud < now:
                errors["reconstituted_at"] = [
                    f"Beyond use: reconstituted {timezone.localtime(reconstituted_at):%d %b %Y %H:%M}; "
                    f"{prod.brand} must be used within {prod.beyond_use_hours} h, so by "
                    f"{timezone.localtime(bud):%d %b %Y %H:%M}. Discard it and open another vial."
                ]
    for name, value in (("units_administered", units_administered), ("units_discarded", units_discarded)):
        if value is None or value < 0 or value > MAX_UNITS:
            errors[name] = [f"Enter 0 to {MAX_UNITS} U."]
    if "units_administered" not in errors and "units_discarded" not in errors:
        if units_administered + units_discarded > vial.size_units:
            errors["units_discarded"] = [
                f"Administered {fmt_units(float(units_administered))} U + discarded "
                f"{fmt_units(float(units_discarded))} U = "
                f"{fmt_units(float(units_administered + units_discarded))} U is more than the "
                f"{vial.size_units} U in this vial."
            ]
    if errors:
        raise FieldError(errors)

    def apply(v: Visit) -> dict[str, Any]:
        locked = Vial.objects.select_for_update().get(pk=vial.pk)
        if locked.status != VialStatus.IN_STOCK:
            raise FieldError({"vial": ["This vial was just taken for another visit; pick another."]})
        before = snapshot(locked)
        locked.status = VialStatus.OPENED
        locked.reconstituted_at = reconstituted_at
        locked.diluent_ml = diluent_ml
        locked.beyond_use_at = Vial.beyond_use(lot.product, reconstituted_at)
        locked.version += 1
        locked.save()
        record_change("vial.opened", locked, before, actor=actor)
        VialUse.objects.create(
            visit=v,
            vial=locked,
            units_administered=units_administered,
            units_discarded=units_discarded,
            recorded_by=actor,
        )
        return {"vial": str(locked.public_id), "lot": lot.lot_number}

    return _edit(visit, expected_version, actor=actor, action="visit.vial_added", apply=apply)


def remove_vial_use(visit: Visit, expected_version: int | None, *, actor: Any, use_id: str) -> Visit:
    """Undo a vial picked by mistake: it goes back to stock."""
    use = (
        VialUse.objects.filter(visit=visit, public_id=parse_public_id(use_id)).select_related("vial").first()
    )
    if use is None:
        raise Http404("No such vial on this visit.")

    def apply(v: Visit) -> dict[str, Any]:
        vial = Vial.objects.select_for_update().get(pk=use.vial_id)
        before = snapshot(vial)
        VialUse.objects.filter(pk=use.pk).delete()
        vial.status = VialStatus.IN_STOCK
        vial.reconstituted_at = vial.beyond_use_at = vial.diluent_ml = None
        vial.version += 1
        vial.save()
        record_change("vial.returned", vial, before, actor=actor)
        return {"vial": str(vial.public_id)}

    return _edit(visit, expected_version, actor=actor, action="visit.vial_removed", apply=apply)


# --- signing -----------------------------------------------------------------------------------------


#: Hard stops a prescriber cannot override: units administered beyond what the opened vials held is a
#: recording error (signing refuses it anyway, as the vials and the sites disagree), not a clinical choice.
NOT_OVERRIDABLE = frozenset({"vial_balance"})


def _clean_overrides(raw: Mapping[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for rule, reason in (raw or {}).items():
        if rule not in dosing.RULES:
            raise FieldError({"overrides": [f"{rule!r} is not a dose rule ({', '.join(dosing.RULES)})."]})
        if rule in NOT_OVERRIDABLE and str(reason or "").strip():
            raise FieldError(
                {
                    "overrides": [
                        f"{dosing.RULE_LABELS[rule]} cannot be overridden: correct the vials or the sites."
                    ]
                }
            )
        text = str(reason or "").strip()
        if text:
            out[rule] = text[:2000]
    return out


@dataclass(frozen=True)
class Review:
    """Everything a signer must see: the screening, the dose check and what still blocks signing."""

    items: list[dict[str, Any]]
    check: dosing.DoseCheck | None
    errors: dict[str, list[str]]
    warnings: list[str]
    sites: list[InjectionSite]
    uses: list[VialUse]
    consent: Consent | None


def review(
    visit: Visit, overrides: Mapping[str, str] | None = None, history: list[dosing.Session] | None = None
) -> Review:
    """Re-run screening and the dose check and list what blocks signing (no permission check here).
    ``history`` defaults to the patient's stored history (the demo generator passes what it holds)."""
    if history is None:
        history = history_sessions(visit.patient, exclude=visit)
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    answers = screening_answers(visit)
    items = screening_items(visit, answers, history) if answers is not None else history_items(visit, history)
    if answers is None:
        errors["screening"] = ["Screen the patient (the pre-injection checklist) before signing."]
    elif missing := [i for i in items if i["status"] == screening.UNANSWERED]:
        errors["screening"] = [f"Not answered: {i['question']}." for i in missing]
    for i in items:
        if i["status"] == screening.STOP and i["key"] in SCREENING_KEYS:
            errors.setdefault("screening", []).append(f"Stop: {i['reason']}")
        elif i["status"] == screening.CONCERN:
            warnings.append(f"Screening: {i['reason']}")
    consent = Consent.objects.filter(visit=visit).select_related("recorded_by").first()
    if consent is None:
        errors["consent"] = ["Record the patient's consent before signing."]
    elif not consent.complete:
        errors["consent"] = [
            "Consent must record that benefits, common and rare serious side effects and alternatives were "
            "discussed."
        ]
    sites = list(visit.sites.all())
    uses = list(visit.vial_uses.select_related("vial__lot", "vial__location"))
    check = None
    if not sites:
        errors["injections"] = ["Chart at least one injection site."]
    else:
        try:
            check = dose_check(visit, sites, overrides, history, uses)
        except FieldError as exc:
            errors.update(exc.errors)
    if not uses:
        errors["vials"] = ["Record the vial(s) used: lot, dilution, units administered and discarded."]
    for u in uses:
        lot = u.vial.lot
        if lot.is_expired(visit.visit_date):
            errors.setdefault("vials", []).append(
                f"Lot {lot.lot_number} expired on {lot.expiry_date:%d %b %Y}, before the visit date."
            )
        if lot.product != visit.product:
            errors.setdefault("vials", []).append(
                f"Lot {lot.lot_number} is {lot.product_info.brand}; the visit is {visit.product_info.brand}."
            )
    if check is not None and uses:
        given = sum((u.units_administered for u in uses), Decimal(0))
        if abs(float(given) - check.total_units) > 1e-9:
            errors.setdefault("vials", []).append(
                f"The vials record {fmt_units(float(given))} U administered but the charted sites total "
                f"{fmt_units(check.total_units)} U; correct one of them."
            )
    if check is not None:
        for f in check.hard_stops:
            how = (
                "correct the vials or the sites; this cannot be overridden"
                if f.rule in NOT_OVERRIDABLE
                else "only a prescriber may override it, with a reason"
            )
            errors.setdefault("dose", []).append(f"{dosing.RULE_LABELS[f.rule]}: {f.message} — {how}.")
        warnings.extend(f"{dosing.RULE_LABELS[f.rule]}: {f.message}." for f in check.warnings)
    return Review(items, check, errors, warnings, sites, uses, consent)


def sign_visit(
    visit: Visit,
    clinician: Any,
    *,
    expected_version: int | None,
    overrides: Mapping[str, Any] | None = None,
    acknowledge_warnings: bool = False,
    history: list[dosing.Session] | None = None,
    archive_pdf: bool = True,
    at: dt.datetime | None = None,
) -> SignedNote:
    """Sign the note: re-check on the server, refuse while a hard stop is not overridden by a prescriber
    with a reason or a warning is not acknowledged; then freeze the note (version 1), store the billing
    lines, mark the vials used, set the recall, audit, and send ``visit_signed`` after commit."""
    if not can_sign_visit(clinician) or clinician.clinic_id != visit.clinic_id:
        raise PermissionDenied("Only a clinician of this clinic may sign a visit.")
    ov = _clean_overrides(overrides)
    if ov and not can_override_dose_stop(clinician):
        raise FieldError(
            {
                "overrides": [
                    "Only a prescriber may override a hard stop; ask a prescriber to review and sign."
                ]
            }
        )
    with transaction.atomic():
        locked = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("patient", "clinic", "location", "nurse", "clinician", "screened_by")
            .get(pk=visit.pk)
        )
        if locked.is_signed:
            raise NoteSigned(locked)
        if expected_version is None or locked.version != expected_version:
            if expected_version is None:
                raise FieldError({"version": ["Send the version you reviewed."]})
            raise Conflict(locked.version)
        r = review(locked, ov, history)
        errors = dict(r.errors)
        if r.warnings and not acknowledge_warnings:
            errors["acknowledge_warnings"] = [
                "Review and acknowledge these warnings before signing: " + " | ".join(r.warnings)
            ]
        if errors:
            raise FieldError(errors)
        assert r.check is not None
        session = engine_session(locked, r.sites, r.uses)
        try:
            lines = billing.lines(session, guidance=locked.guidance or None)
        except ValueError as exc:
            raise FieldError({"vials": [str(exc)]}) from exc
        now = at or timezone.now()
        before = snapshot(locked)
        locked.status = VisitStatus.SIGNED
        locked.signed_at = now
        locked.signed_by = clinician
        locked.clinician = locked.clinician or clinician
        locked.total_units = Decimal(str(r.check.total_units))
        locked.version += 1
        locked.save()
        ov_rows = []
        for f in r.check.overridden:
            ov_rows.append(
                DoseOverride.objects.create(
                    visit=locked,
                    rule=f.rule,
                    message=f.message,
                    reason=f.override_reason or "",
                    prescriber=clinician,
                )
            )
            log_action(
                "dose.stop_overridden",
                actor=clinician,
                obj=locked,
                data={"rule": f.rule, "finding": f.message, "reason": f.override_reason},
            )
        uses = r.uses
        Vial.objects.filter(pk__in=[u.vial_id for u in uses]).update(status=VialStatus.USED)
        _store_billing(locked, lines, 1)
        from toxinclinic.scheduling.services import set_recall

        window = set_recall(locked)
        content = note_content(locked, r, lines, uses, window, acknowledged=r.warnings, overrides=ov_rows)
        note = SignedNote.objects.create(
            visit=locked, version=1, content=content, signed_by=clinician, signed_at=now
        )
        record_change("visit.signed", locked, before, actor=clinician, data={"note_version": 1})
        _after_commit(locked, clinician, note, archive_pdf, r.sites)
    return note


def _store_billing(visit: Visit, lines: Sequence[billing.BillingLine], version: int) -> None:
    BillingLine.objects.filter(visit=visit).delete()
    BillingLine.objects.bulk_create(
        [
            BillingLine(
                visit=visit,
                note_version=version,
                code=line.code,
                modifiers=",".join(line.modifiers),
                units=line.units,
                description=line.description,
                reason=line.reason,
                position=i,
            )
            for i, line in enumerate(lines)
        ]
    )


def _after_commit(
    visit: Visit, clinician: Any, note: SignedNote, archive_pdf: bool, site_rows: Sequence[InjectionSite]
) -> None:
    sites = [{"muscle": s.muscle, "side": s.side, "units": float(s.units)} for s in site_rows]
    kwargs = {
        "visit_id": str(visit.public_id),
        "patient": visit.patient,
        "clinic_id": visit.clinic_id,
        "injected_on": visit.visit_date,
        "product": visit.product,
        "indication": visit.indication,
        "total_units": float(visit.total_units or 0),
        "sites": sites,
        "signed_by": clinician,
    }
    transaction.on_commit(lambda: visit_signed.send(sender=Visit, **kwargs))
    if not archive_pdf:
        return
    from toxinclinic.visits.tasks import archive_note_pdf

    note_id = note.pk
    transaction.on_commit(lambda: archive_note_pdf.enqueue(note_id))


def _person(user: Any) -> str:
    return user.display_name if user is not None else ""


def note_content(
    visit: Visit,
    r: Review,
    lines: Sequence[billing.BillingLine],
    uses: Sequence[VialUse],
    window: recall.RecallWindow | None,
    acknowledged: Sequence[str] = (),
    overrides: Sequence[DoseOverride] | None = None,
) -> dict[str, Any]:
    """The frozen note: everything the PDF and the note screen show, as plain JSON."""
    check = r.check
    assert check is not None
    prod = visit.product_info
    patient = visit.patient
    consent = r.consent
    icd = (
        PatientIndication.objects.filter(patient=patient, indication=visit.indication)
        .values_list("icd10", flat=True)
        .first()
    ) or billing.diagnosis_code(visit.indication)
    effective = protocol_for_check(visit, r.sites)
    tmpl = protocols.get(effective) if effective else None
    vials = []
    for u in uses:
        v = u.vial
        vials.append(
            {
                "vial": str(v.public_id),
                "lot": v.lot.lot_number,
                "ndc": v.lot.ndc,
                "expiry": v.lot.expiry_date.isoformat(),
                "size_units": v.size_units,
                "diluent_ml": float(v.diluent_ml) if v.diluent_ml is not None else None,
                "units_per_0_1_ml": v.units_per_0_1_ml,
                "reconstituted_at": timezone.localtime(v.reconstituted_at).isoformat()
                if v.reconstituted_at
                else None,
                "beyond_use_at": timezone.localtime(v.beyond_use_at).isoformat() if v.beyond_use_at else None,
                "administered": float(u.units_administered),
                "discarded": float(u.units_discarded),
                "location": v.location.name if v.location_id else "",
            }
        )
    ov_rows = overrides if overrides is not None else list(visit.overrides.select_related("prescriber"))
    return {
        "visit": {
            "id": str(visit.public_id),
            "date": visit.visit_date.isoformat(),
            "indication": visit.indication,
            "indication_label": products.INDICATION_LABELS[visit.indication],
            "diagnosis": icd,
            "product": visit.product,
            "product_brand": prod.brand,
            "product_generic": prod.generic,
            "protocol": visit.protocol,
            "protocol_name": tmpl.name if tmpl else ("Individual" if not visit.protocol else visit.protocol),
            "location": visit.location.name if visit.location_id else "",
            "guidance": visit.get_guidance_display() if visit.guidance else "",
            "notes": visit.notes,
        },
        "clinic": {"name": visit.clinic.name, "phone": visit.clinic.phone, "address": visit.clinic.address},
        "patient": {
            "id": str(patient.public_id),
            "name": patient.full_name,
            "mrn": patient.mrn,
            "date_of_birth": patient.date_of_birth.isoformat(),
        },
        "people": {
            "nurse": _person(visit.nurse),
            "clinician": _person(visit.clinician),
            "screened_by": _person(visit.screened_by),
            "signed_by": _person(visit.signed_by),
        },
        "screening": {
            "at": visit.screening.get("at", ""),
            "items": r.items,
            "sources": visit.screening.get("sources", {}),
            "not_applicable": visit.screening.get("not_applicable", {}),
        },
        "consent": {
            "benefits": consent.discussed_benefits,
            "common_effects": consent.discussed_common_effects,
            "serious_effects": consent.discussed_serious_effects,
            "alternatives": consent.discussed_alternatives,
            "by": consent.get_consented_by_display(),
            "name": consent.consenter_name,
            "at": timezone.localtime(consent.consented_at).isoformat(),
            "recorded_by": _person(consent.recorded_by),
            "notes": consent.notes,
        }
        if consent
        else None,
        "sites": [site_dict(s) for s in r.sites],
        "totals": {
            "total": check.total_units,
            "by_side": check.units_by_side,
            "by_muscle": totals_table(check),
            "unit": f"{prod.brand} U",
        },
        "findings": [finding_dict(f) for f in check.findings],
        "acknowledged_warnings": list(acknowledged),
        "overrides": [
            {"rule": o.rule, "message": o.message, "reason": o.reason, "prescriber": _person(o.prescriber)}
            for o in ov_rows
        ],
        "vials": vials,
        "waste_units": sum(v["discarded"] for v in vials),
        "billing": [
            {
                "code": line.code,
                "modifiers": list(line.modifiers),
                "units": line.units,
                "description": line.description,
                "reason": line.reason,
                "display": line.display,
            }
            for line in lines
        ],
        "aftercare": [{"text": a.text, "urgent": a.urgent} for a in aftercare.AFTERCARE],
        "recall": {"opens": window.opens.isoformat(), "due": window.due.isoformat()} if window else None,
    }


def amend_visit(
    visit: Visit, clinician: Any, *, reason: str, notes: str, expected_version: int | None
) -> SignedNote:
    """A correction of a signed note: a new version with the reason; earlier versions stay readable.
    What may change is the clinical note text; everything else is carried over from the last version."""
    if not can_sign_visit(clinician) or clinician.clinic_id != visit.clinic_id:
        raise PermissionDenied("Only a clinician of this clinic may amend a note.")
    errors: dict[str, list[str]] = {}
    if not str(reason or "").strip():
        errors["reason"] = ["Give the reason for the amendment."]
    if notes is None:
        errors["notes"] = ["Give the corrected clinical note."]
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if not locked.is_signed:
            raise FieldError({"visit": ["This visit is not signed yet; edit the draft instead."]})
        if expected_version is None or locked.version != expected_version:
            if expected_version is None:
                raise FieldError({"version": ["Send the version you read."]})
            raise Conflict(locked.version)
        last = locked.notes_versions.order_by("-version").first()
        assert last is not None
        before = snapshot(locked)
        locked.notes = str(notes)
        locked.version += 1
        locked.save()
        content = dict(last.content)
        content["visit"] = {**content["visit"], "notes": locked.notes}
        content["amendment"] = {"reason": reason.strip(), "by": _person(clinician), "previous": last.version}
        note = SignedNote.objects.create(
            visit=locked,
            version=last.version + 1,
            content=content,
            signed_by=clinician,
            signed_at=timezone.now(),
            amendment_reason=reason.strip(),
            previous=last,
        )
        record_change(
            "visit.amended",
            locked,
            before,
            actor=clinician,
            data={"note_version": note.version, "reason": reason},
        )
        from toxinclinic.visits.tasks import archive_note_pdf

        note_id = note.pk
        transaction.on_commit(lambda: archive_note_pdf.enqueue(note_id))
    return note


# --- outside injections --------------------------------------------------------------------------------


def record_outside_injection(
    patient: Patient,
    *,
    actor: Any,
    given_on: dt.date,
    product: str,
    units: Decimal,
    indication: str,
    where: str,
) -> OutsideInjection:
    errors: dict[str, list[str]] = {}
    if given_on > timezone.localdate():
        errors["given_on"] = ["The date cannot be in the future."]
    elif (born := _before_birth(patient, given_on)) is not None:
        errors["given_on"] = [born]
    if product not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    if indication not in products.HISTORY_INDICATIONS:
        errors["indication"] = [f"Choose one of: {', '.join(products.HISTORY_INDICATIONS)}."]
    if units is None or units <= 0 or units > MAX_UNITS:
        errors["units"] = [f"Units must be more than 0 and at most {MAX_UNITS} U (of that product)."]
    if not str(where or "").strip():
        errors["where"] = ["Say where it was given (provider or clinic)."]
    if errors:
        raise FieldError(errors)
    row = OutsideInjection(
        patient=patient,
        given_on=given_on,
        product=product,
        units=units,
        indication=indication,
        where=str(where).strip()[:200],
        recorded_by=actor,
    )
    with transaction.atomic():
        row.save()
        record_change("outside_injection.created", row, None, actor=actor)
    return row


def lot_recipients(lot: Any) -> QuerySet[VialUse]:
    """Every signed visit whose vials came from ``lot``: the recall search."""
    return (
        VialUse.objects.filter(vial__lot=lot, visit__status=VisitStatus.SIGNED)
        .select_related("visit__patient", "vial")
        .order_by("visit__visit_date", "visit__patient__last_name")
    )

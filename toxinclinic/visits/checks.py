"""The visit as the dose engine sees it: a draft site, the engine ``Session`` built from the visit's sites
and vials, and the dose check against the patient's history with the clinic's policy.

Units are the visit product's own U; every verdict is ``toxinclinic.clinical.dosing``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from toxinclinic.clinical import dosing, products, protocols
from toxinclinic.core.errors import FieldError
from toxinclinic.visits.history import CLINIC_DOSE_POLICY, clinic_dates, history_sessions
from toxinclinic.visits.models import InjectionSite, VialUse, Visit, site_label

#: No dose entry may exceed the largest vial of any product (Myobloc 10,000 U), in that product's U.
MAX_UNITS = Decimal(max(size for p in products.PRODUCTS.values() for size in p.vial_sizes))


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

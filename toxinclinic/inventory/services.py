"""Inventory use cases: receive vials, stock by product and expiry, expiry alerts, reconciliation, the
look-ups the visit's vial picker and the recall search need, and every change of a vial's state (opened
for a visit, returned to stock, used when the note is signed): other apps call these, never write a
``Vial`` row themselves. Every query is scoped to one clinic."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from toxinclinic.accounts.models import Location
from toxinclinic.audit.services import log_action, record_change, record_read, snapshot
from toxinclinic.clinical import products
from toxinclinic.core.errors import FieldError
from toxinclinic.core.plugins import app_modules
from toxinclinic.inventory.models import Lot, Receipt, Reconciliation, ReconciliationLine, Vial, VialStatus
from toxinclinic.patients.services import parse_public_id

EXPIRY_ALERT_DAYS = 30
MAX_RECEIPT_COUNT = 500
MAX_COUNT = 10_000  # vials of one lot and size on one shelf


def lots_for(user: Any) -> QuerySet[Lot]:
    return Lot.objects.filter(clinic_id=user.clinic_id)


def get_lot(user: Any, public_id: str | uuid.UUID) -> Lot:
    lot = lots_for(user).filter(public_id=parse_public_id(public_id)).first()
    if lot is None:
        raise Http404("No such lot.")
    return lot


def get_vial(user: Any, public_id: str | uuid.UUID) -> Vial:
    vial = (
        Vial.objects.filter(clinic_id=user.clinic_id, public_id=parse_public_id(public_id))
        .select_related("lot", "location")
        .first()
    )
    if vial is None:
        raise Http404("No such vial.")
    return vial


def location_for(user: Any, public_id: str | uuid.UUID | None) -> Location | None:
    if public_id in (None, ""):
        return None
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Location.objects.filter(clinic_id=user.clinic_id, public_id=pid).first()


def receive_vials(
    *,
    actor: Any,
    product: str,
    ndc: str,
    lot_number: str,
    expiry_date: dt.date,
    count: int,
    size_units: int,
    location: Location | None,
    note: str = "",
    today: dt.date | None = None,
) -> Receipt:
    """Add ``count`` vials of one lot at one location. The lot is created on first receipt; a later
    receipt of the same lot number must agree on NDC and expiry."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    lot_number = (lot_number or "").strip().upper()
    ndc = (ndc or "").strip()
    if product not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    elif size_units not in products.get(product).vial_sizes:
        p = products.get(product)
        errors["size_units"] = [
            f"{p.brand} comes in {', '.join(str(s) for s in p.vial_sizes)} U vials, not {size_units} U."
        ]
    if not lot_number or len(lot_number) > 40:
        errors["lot_number"] = ["Enter the lot number printed on the carton (at most 40 characters)."]
    if "product" not in errors:
        # The NDC's labeler and product code must be this product's (and its vial size where known):
        # a Dysport carton's NDC on a Botox lot would make the recall search and the billing wrong.
        verdict = products.check_ndc(product, ndc, size_units if "size_units" not in errors else None)
        if not verdict.ok:
            errors["ndc"] = list(verdict.reasons)
    elif products.ndc11(ndc) is None:
        errors["ndc"] = [products.NDC_FORMAT_HELP]
    if expiry_date is None:
        errors["expiry_date"] = ["Enter the expiry date."]
    elif expiry_date < today:
        errors["expiry_date"] = [f"This lot expired on {expiry_date:%d %b %Y}; do not receive expired stock."]
    if not isinstance(count, int) or not (1 <= count <= MAX_RECEIPT_COUNT):
        errors["count"] = [f"Enter 1 to {MAX_RECEIPT_COUNT} vials."]
    if location is None or location.clinic_id != actor.clinic_id:
        errors["location"] = ["Choose one of your clinic's locations."]
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        lot = Lot.objects.filter(clinic_id=actor.clinic_id, product=product, lot_number=lot_number).first()
        if lot is None:
            lot = Lot.objects.create(
                clinic_id=actor.clinic_id,
                product=product,
                ndc=ndc,
                lot_number=lot_number,
                expiry_date=expiry_date,
            )
            record_change("lot.created", lot, None, actor=actor)
        elif lot.expiry_date != expiry_date or lot.ndc != ndc:
            raise FieldError(
                {
                    "lot_number": [
                        f"Lot {lot_number} is on record with NDC {lot.ndc} and expiry "
                        f"{lot.expiry_date:%d %b %Y}; check the carton."
                    ]
                }
            )
        receipt = Receipt.objects.create(
            clinic_id=actor.clinic_id,
            lot=lot,
            location=location,
            count=count,
            size_units=size_units,
            received_by=actor,
            received_at=timezone.now(),
            note=(note or "")[:300],
        )
        Vial.objects.bulk_create(
            [
                Vial(
                    clinic_id=actor.clinic_id,
                    lot=lot,
                    location=location,
                    receipt=receipt,
                    size_units=size_units,
                )
                for _ in range(count)
            ]
        )
        record_change("vials.received", receipt, None, actor=actor, data={"lot": lot_number, "count": count})
    return receipt


def stock_rows(
    user: Any,
    *,
    product: str | None = None,
    location: Location | None = None,
    expires_by: dt.date | None = None,
) -> list[dict[str, Any]]:
    """In-stock vials grouped by product, lot, expiry, size and location, first-expiring first
    (only lots expiring on or before ``expires_by`` when given)."""
    qs = Vial.objects.filter(clinic_id=user.clinic_id, status=VialStatus.IN_STOCK)
    if product:
        qs = qs.filter(lot__product=product)
    if location is not None:
        qs = qs.filter(location=location)
    if expires_by is not None:
        qs = qs.filter(lot__expiry_date__lte=expires_by)
    rows = (
        qs.values(
            "lot__public_id",
            "lot__product",
            "lot__lot_number",
            "lot__ndc",
            "lot__expiry_date",
            "size_units",
            "location__name",
            "location__public_id",
        )
        .annotate(count=Count("id"))
        .order_by("lot__expiry_date", "lot__product", "lot__lot_number", "location__name")
    )
    return [
        {
            "lot": r["lot__public_id"],
            "product": r["lot__product"],
            "brand": products.get(r["lot__product"]).brand,
            "lot_number": r["lot__lot_number"],
            "ndc": r["lot__ndc"],
            "expiry_date": r["lot__expiry_date"],
            "size_units": r["size_units"],
            "location": r["location__name"],
            "location_id": r["location__public_id"],
            "count": r["count"],
        }
        for r in rows
    ]


def expiring_rows(user: Any, today: dt.date, days: int = EXPIRY_ALERT_DAYS) -> list[dict[str, Any]]:
    """In-stock lots that expire within ``days`` days (or already have: remove those)."""
    # Filtered in the database: every staff home screen asks, and most of the stock is not expiring.
    return stock_rows(user, expires_by=today + dt.timedelta(days=days))


def recall_recipients(user: Any, lot: Lot, *, what: str) -> list[Any]:
    """The recall search: every signed visit's use of a vial of ``lot`` (oldest first), audited as one
    ``lot.recall_searched`` event and a chart read of each patient it names (``what`` says where)."""
    # The uses are the visits' to tell (they chart which vial went into whom): asked through the ``lots.py``
    # plug-in, so inventory, which visits draw from, never imports visits.
    uses = [u for mod in app_modules("lots") for u in mod.recipients(lot)]
    log_action(
        "lot.recall_searched",
        actor=user,
        obj=lot,
        clinic_id=lot.clinic_id,
        data={"lot": lot.lot_number, "recipients": len(uses)},
    )
    for patient in {u.visit.patient_id: u.visit.patient for u in uses}.values():
        record_read(patient, actor=user, what=what)
    return uses


def pickable_vials(visit: Any) -> QuerySet[Vial]:
    """Vials the visit may use: this clinic, in stock, the visit's product, not expired on the visit
    date; first-expiring first (the picker shows expiry, so expired ones never appear)."""
    return (
        Vial.objects.filter(
            clinic_id=visit.clinic_id,
            status=VialStatus.IN_STOCK,
            lot__product=visit.product,
            lot__expiry_date__gte=visit.visit_date,
        )
        .select_related("lot", "location")
        .order_by("lot__expiry_date", "lot__lot_number", "id")
    )


def clinic_vial(clinic_id: int, public_id: str | uuid.UUID) -> Vial | None:
    """The clinic's vial ``public_id`` with its lot; None for an unknown id, a malformed one or another
    clinic's vial (the caller says so in its own words)."""
    try:
        vid = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Vial.objects.filter(public_id=vid, clinic_id=clinic_id).select_related("lot").first()


# --- vial state: the one writer of a vial's status --------------------------------------------------


def open_vial(vial: Vial, *, actor: Any, diluent_ml: Decimal, reconstituted_at: dt.datetime) -> Vial:
    """Open (reconstitute) an in-stock vial: status opened, ``diluent_ml`` mL, the beyond-use time from
    the product's hours; audited as ``vial.opened``. The row is locked, so two visits cannot take one
    vial: the second gets a FieldError on ``vial``. Call inside the caller's transaction."""
    locked = Vial.objects.select_for_update().get(pk=vial.pk)
    if locked.status != VialStatus.IN_STOCK:
        raise FieldError({"vial": ["This vial was just taken for another visit; pick another."]})
    before = snapshot(locked)
    locked.status = VialStatus.OPENED
    locked.reconstituted_at = reconstituted_at
    locked.diluent_ml = diluent_ml
    locked.beyond_use_at = Vial.beyond_use(vial.lot.product, reconstituted_at)
    locked.version += 1
    locked.save()
    record_change("vial.opened", locked, before, actor=actor)
    return locked


def return_vial(vial_pk: int, *, actor: Any) -> Vial:
    """Put a vial opened by mistake back in stock (no reconstitution, diluent or beyond-use time);
    audited as ``vial.returned``. Call inside the caller's transaction."""
    vial = Vial.objects.select_for_update().get(pk=vial_pk)
    before = snapshot(vial)
    vial.status = VialStatus.IN_STOCK
    vial.reconstituted_at = vial.beyond_use_at = vial.diluent_ml = None
    vial.version += 1
    vial.save()
    record_change("vial.returned", vial, before, actor=actor)
    return vial


def mark_used(vial_pks: Iterable[int]) -> int:
    """The vials of a signed note are used (out of stock for good); the signature is the audit entry.
    Returns how many rows changed."""
    return Vial.objects.filter(pk__in=list(vial_pks)).update(status=VialStatus.USED)


@dataclass(frozen=True)
class CountLine:
    lot: Lot
    size_units: int
    counted: int
    reason: str


def expected_counts(user: Any, location: Location) -> list[dict[str, Any]]:
    """What the system expects on the shelf at ``location``: in-stock vials per lot and size."""
    return stock_rows(user, location=location)


def reconcile(
    *, actor: Any, location: Location | None, counts: Sequence[CountLine], note: str = ""
) -> Reconciliation:
    """Record a physical count. Every difference needs a reason; the stock then follows the count:
    missing vials are removed (with the reason), found vials are added to the lot."""
    if location is None or location.clinic_id != actor.clinic_id:
        raise FieldError({"location": ["Choose one of your clinic's locations."]})
    errors: dict[str, list[str]] = {}
    lines: list[tuple[CountLine, int]] = []
    seen: set[tuple[int, int]] = set()
    for c in counts:
        if c.lot.clinic_id != actor.clinic_id:
            raise Http404("No such lot.")
        key = f"counted_{c.lot.public_id}_{c.size_units}"
        # A second count of the same shelf would remove (or add) the difference twice.
        if (c.lot.pk, c.size_units) in seen:
            errors[key] = [
                f"Lot {c.lot.lot_number} ({c.size_units} U) is counted more than once; send one count per "
                "lot and vial size."
            ]
            continue
        seen.add((c.lot.pk, c.size_units))
        expected = Vial.objects.filter(
            lot=c.lot, location=location, size_units=c.size_units, status=VialStatus.IN_STOCK
        ).count()
        if not isinstance(c.counted, int) or c.counted < 0 or c.counted > MAX_COUNT:
            errors[key] = [f"Enter the number of vials counted (0 to {MAX_COUNT})."]
        elif c.counted != expected and not c.reason.strip():
            errors[f"reason_{c.lot.public_id}_{c.size_units}"] = [
                f"Lot {c.lot.lot_number} ({c.size_units} U): expected {expected}, counted {c.counted}; "
                "give the reason for the difference."
            ]
        lines.append((c, expected))
    if not lines:
        errors["counts"] = ["Nothing to reconcile at this location."]
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        rec = Reconciliation.objects.create(
            clinic_id=actor.clinic_id,
            location=location,
            performed_by=actor,
            performed_at=timezone.now(),
            note=(note or "")[:300],
        )
        for c, expected in lines:
            ReconciliationLine.objects.create(
                reconciliation=rec,
                lot=c.lot,
                size_units=c.size_units,
                expected=expected,
                counted=c.counted,
                reason=c.reason.strip()[:300],
            )
            if c.counted < expected:
                ids = list(
                    Vial.objects.filter(
                        lot=c.lot, location=location, size_units=c.size_units, status=VialStatus.IN_STOCK
                    )
                    .order_by("-id")
                    .values_list("id", flat=True)[: expected - c.counted]
                )
                Vial.objects.filter(id__in=ids).update(
                    status=VialStatus.REMOVED, removed_reason=f"Reconciliation: {c.reason.strip()}"[:300]
                )
            elif c.counted > expected:
                Vial.objects.bulk_create(
                    [
                        Vial(clinic_id=actor.clinic_id, lot=c.lot, location=location, size_units=c.size_units)
                        for _ in range(c.counted - expected)
                    ]
                )
        log_action(
            "stock.reconciled",
            actor=actor,
            obj=rec,
            clinic_id=actor.clinic_id,
            data={
                "location": location.name,
                "lines": [
                    {
                        "lot": c.lot.lot_number,
                        "size": c.size_units,
                        "expected": e,
                        "counted": c.counted,
                        "reason": c.reason,
                    }
                    for c, e in lines
                ],
            },
        )
    return rec

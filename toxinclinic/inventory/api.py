"""Inventory operations of the JSON API: stock, vials (receive, read), lots and the recall search
(``/lots/{lot}/recipients``), expiry alerts and reconciliations."""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status
from ninja.pagination import paginate

from toxinclinic.clinical import products
from toxinclinic.core.fields import checked_enum, model_choices
from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import Schema
from toxinclinic.inventory import permissions as perms
from toxinclinic.inventory import services as svc
from toxinclinic.inventory.models import Lot, Reconciliation, ReconciliationLine, Vial

API_PREFIX = "/"
router = Router(tags=["inventory"])


class StockRow(Schema):
    lot: uuid.UUID
    product: str
    brand: str
    lot_number: str
    ndc: str
    expiry_date: dt.date
    size_units: int
    location: str
    count: int


class VialOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    lot: uuid.UUID
    lot_number: str
    product: str
    expiry_date: dt.date
    size_units: int
    status: str
    location: str
    reconstituted_at: dt.datetime | None = None
    diluent_ml: float | None = None
    units_per_0_1_ml: float | None = None
    beyond_use_at: dt.datetime | None = None

    @staticmethod
    def resolve_lot(obj: Vial) -> uuid.UUID:
        return obj.lot.public_id

    @staticmethod
    def resolve_lot_number(obj: Vial) -> str:
        return obj.lot.lot_number

    @staticmethod
    def resolve_product(obj: Vial) -> str:
        return obj.lot.product

    @staticmethod
    def resolve_expiry_date(obj: Vial) -> dt.date:
        return obj.lot.expiry_date

    @staticmethod
    def resolve_location(obj: Vial) -> str:
        return obj.location.name


#: Every product's vial sizes; which fit the product is checked with it (a cross-field rule).
_VIAL_SIZES = sorted({size for p in products.PRODUCTS.values() for size in p.vial_sizes})


class ReceiveIn(Schema):
    product: model_choices(Lot, "product")  # type: ignore[valid-type]
    ndc: str
    lot_number: str
    expiry_date: dt.date
    count: int = Field(
        ...,
        description="Vials received",
        json_schema_extra={"minimum": 1, "maximum": svc.MAX_RECEIPT_COUNT},  # checked by the service
    )
    size_units: checked_enum(_VIAL_SIZES, int) = Field(  # type: ignore[valid-type]
        ..., description="U per vial (one of the product's vial sizes)"
    )
    location: uuid.UUID
    note: str = ""


class ReceiptOut(Schema):
    id: uuid.UUID
    lot: uuid.UUID
    count: int
    vials: list[uuid.UUID]


class LotOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    product: str
    ndc: str
    lot_number: str
    expiry_date: dt.date


class RecipientOut(Schema):
    visit: uuid.UUID
    visit_date: dt.date
    patient: uuid.UUID
    patient_name: str
    mrn: str
    units_administered: float
    vial: uuid.UUID


class CountIn(Schema):
    lot: uuid.UUID
    size_units: int
    counted: int
    reason: str = ""


class ReconcileIn(Schema):
    location: uuid.UUID
    counts: list[CountIn]
    note: str = ""


class ReconLineOut(Schema):
    lot_number: str
    size_units: int
    expected: int
    counted: int
    reason: str


class ReconOut(Schema):
    id: uuid.UUID
    location: str
    performed_at: dt.datetime
    lines: list[ReconLineOut]


def _stock(request: HttpRequest) -> None:
    if not perms.can_view_stock(request.user):
        raise PermissionDenied


@router.get("/stock", response=list[StockRow], summary="In-stock vials by product, lot and expiry")
def list_stock(request: HttpRequest, product: str = "") -> Any:
    _stock(request)
    return svc.stock_rows(request.user, product=product or None)


@router.get("/stock/expiring", response=list[StockRow], summary="In-stock lots expiring within N days")
def list_expiring_stock(request: HttpRequest, days: int = svc.EXPIRY_ALERT_DAYS) -> Any:
    _stock(request)
    return svc.expiring_rows(request.user, timezone.localdate(), max(0, min(days, 365)))


@router.get("/vials", response=list[VialOut], summary="Vials of the clinic (filter by status, product, lot)")
@paginate(Pages)
def list_vials(
    request: HttpRequest, status: str = "", product: str = "", lot: uuid.UUID | None = None
) -> Any:
    _stock(request)
    qs = Vial.objects.filter(clinic_id=request.user.clinic_id).select_related("lot", "location")
    if status:
        qs = qs.filter(status=status)
    if product:
        qs = qs.filter(lot__product=product)
    if lot is not None:
        qs = qs.filter(lot__public_id=lot)
    return qs.order_by("lot__expiry_date", "id")


@router.post("/vials", response={201: ReceiptOut}, summary="Receive vials (product, NDC, lot, expiry, count)")
def receive_vials(request: HttpRequest, payload: ReceiveIn) -> Any:
    if not perms.can_receive_vials(request.user):
        raise PermissionDenied
    data = payload.dict()
    data["location"] = svc.location_for(request.user, data["location"])
    receipt = svc.receive_vials(actor=request.user, **data)
    return Status(
        201,
        {
            "id": receipt.public_id,
            "lot": receipt.lot.public_id,
            "count": receipt.count,
            "vials": list(receipt.vials.values_list("public_id", flat=True)),
        },
    )


@router.get("/vials/{vial_id}", response=VialOut, summary="One vial: lot, expiry, reconstitution")
def read_vial(request: HttpRequest, vial_id: uuid.UUID) -> Any:
    _stock(request)
    return svc.get_vial(request.user, vial_id)


@router.get("/lots", response=list[LotOut], summary="Lots of the clinic (search by lot number)")
def list_lots(request: HttpRequest, lot_number: str = "") -> Any:
    _stock(request)
    qs = svc.lots_for(request.user)
    if lot_number:
        qs = qs.filter(lot_number__icontains=lot_number.strip()[:40])
    return qs[:200]


@router.get(
    "/lots/{lot_id}/recipients",
    response=list[RecipientOut],
    summary="Recall search: every patient who received this lot, with visit dates",
)
def lot_recipients(request: HttpRequest, lot_id: uuid.UUID) -> Any:
    if not perms.can_search_lot_recipients(request.user):
        raise PermissionDenied
    lot = svc.get_lot(request.user, lot_id)
    uses = svc.recall_recipients(request.user, lot, what=f"lot {lot.lot_number} recipients (API)")
    return [
        {
            "visit": u.visit.public_id,
            "visit_date": u.visit.visit_date,
            "patient": u.visit.patient.public_id,
            "patient_name": u.visit.patient.full_name,
            "mrn": u.visit.patient.mrn,
            "units_administered": float(u.units_administered),
            "vial": u.vial.public_id,
        }
        for u in uses
    ]


def _recon_out(rec: Reconciliation) -> dict[str, Any]:
    return {
        "id": rec.public_id,
        "location": rec.location.name,
        "performed_at": rec.performed_at,
        "lines": [
            {
                "lot_number": line.lot.lot_number,
                "size_units": line.size_units,
                "expected": line.expected,
                "counted": line.counted,
                "reason": line.reason,
            }
            for line in rec.lines.all()
        ],
    }


@router.post(
    "/reconciliations", response={201: ReconOut}, summary="Reconcile a count (reason per difference)"
)
def reconcile_stock(request: HttpRequest, payload: ReconcileIn) -> Any:
    if not perms.can_reconcile_stock(request.user):
        raise PermissionDenied
    counts = [
        svc.CountLine(svc.get_lot(request.user, c.lot), c.size_units, c.counted, c.reason)
        for c in payload.counts
    ]
    rec = svc.reconcile(
        actor=request.user,
        location=svc.location_for(request.user, payload.location),
        counts=counts,
        note=payload.note,
    )
    return Status(201, _recon_out(rec))


@router.get("/reconciliations", response=list[ReconOut], summary="Recent reconciliations")
def list_reconciliations(request: HttpRequest) -> Any:
    _stock(request)
    qs = (
        Reconciliation.objects.filter(clinic_id=request.user.clinic_id)
        .select_related("location")
        .prefetch_related(Prefetch("lines", queryset=ReconciliationLine.objects.select_related("lot")))
    )
    return [_recon_out(r) for r in qs[:50]]

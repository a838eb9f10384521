"""Demo stock for the demo clinic: lots in stock (one expiring within 30 days), and the lots that the demo
visit history used (one of them, ``RECALL_LOT``, makes a good recall search)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.accounts.models import Location
from toxinclinic.inventory.models import Lot, Receipt, Vial

DEMO_ORDER = 10
RECALL_LOT = "C4821A"
#: Sessions this many days ago (inclusive range) used the recall lot.
RECALL_DAYS = (196, 217)
NDC = {
    "botox": {100: "0023-1145-01", 200: "0023-3921-02"},
    "xeomin": {100: "0259-1610-01"},
    "dysport": {500: "15054-0500-1"},
}

# (product, size, lot, expiry in days from today, vials, location index)
IN_STOCK = [
    ("botox", 200, "C7415B", 21, 6, 0),
    ("botox", 100, "C7302A", 410, 24, 0),
    ("botox", 200, "C7388A", 380, 10, 0),
    ("botox", 100, "C7129A", 250, 12, 1),
    ("xeomin", 100, "XE2209", 300, 8, 0),
    ("dysport", 500, "DY4411", 180, 4, 0),
]


def history_lot_number(product: str, size: int, quarter: int) -> str:
    """Lot used for sessions in the ``quarter``-th 91-day block before today (0 = the latest)."""
    prefix = {"botox": "C", "xeomin": "XE", "dysport": "DY"}[product]
    return f"{prefix}{6900 - quarter * 37 + size // 100}A"


def seed(ctx: Any) -> None:
    clinic = ctx.clinic
    staff = ctx.staff["nurse"]
    locations = list(Location.objects.filter(clinic=clinic).order_by("id"))
    today = ctx.today
    task = ctx.task("stock", len(IN_STOCK))
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    for product, size, number, days, count, loc_i in IN_STOCK:
        lot = Lot.objects.create(
            clinic=clinic,
            product=product,
            ndc=NDC[product][size],
            lot_number=number,
            expiry_date=today + dt.timedelta(days=days),
        )
        loc = locations[loc_i % len(locations)]
        receipt = Receipt.objects.create(
            clinic=clinic,
            lot=lot,
            location=loc,
            count=count,
            size_units=size,
            received_by=staff,
            received_at=now - dt.timedelta(days=30),
        )
        Vial.objects.bulk_create(
            [
                Vial(clinic=clinic, lot=lot, location=loc, receipt=receipt, size_units=size)
                for _ in range(count)
            ]
        )
        ctx.advance(task)
    # Historic lots: one per product, size and quarter for three years; the visit history draws its vials
    # from them. The recall lot is a Botox 200 U lot used for three weeks about seven months ago.
    rows = [
        Lot(
            clinic=clinic,
            product="botox",
            ndc=NDC["botox"][200],
            lot_number=RECALL_LOT,
            expiry_date=today - dt.timedelta(days=RECALL_DAYS[1]) + dt.timedelta(days=400),
        )
    ]
    for quarter in range(13):
        for product, sizes in (("botox", (100, 200)), ("xeomin", (100,))):
            for size in sizes:
                number = history_lot_number(product, size, quarter)
                start = today - dt.timedelta(days=91 * (quarter + 1))
                rows.append(
                    Lot(
                        clinic=clinic,
                        product=product,
                        ndc=NDC[product][size],
                        lot_number=number,
                        expiry_date=start + dt.timedelta(days=91 + 365),
                    )
                )
    Lot.objects.bulk_create(rows)

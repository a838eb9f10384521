"""What a prior-authorization packet requests (clinical reference §6, §9): the procedure code, the
drug's HCPCS code in billing units per session, and sessions per year at the re-treatment interval.

Units are the product's own units (U). Billing units = ``ceil(U / billing_unit)`` (CMS, as in
:mod:`.billing`). Sessions per year = whole intervals in 365 days (84-day interval → 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import billing, products
from ._common import check_int, check_number
from .recall import DEFAULT_INTERVAL_DAYS


@dataclass(frozen=True)
class PlannedCodes:
    procedure_code: str
    procedure_modifiers: tuple[str, ...]
    procedure_description: str
    drug_code: str
    drug_billing_units: int
    units_per_session: float
    sessions_per_year: int
    reasons: list[str]


def planned_codes(
    indication: str,
    product: str,
    units_per_session: float,
    *,
    interval_days: int = DEFAULT_INTERVAL_DAYS,
    bilateral_neck: bool = False,
) -> PlannedCodes:
    """The codes to request for ``units_per_session`` U of ``product`` every ``interval_days`` days."""
    products.check_indication(indication)
    p = products.get(product)
    u = check_number(units_per_session, "units_per_session", minimum=0, allow_zero=False)
    check_int(interval_days, "interval_days", 1, 365, "days")
    if indication == "cervical_dystonia":
        code, mods = billing.CPT_NECK, ("50",) if bilateral_neck else ()
        desc = "Chemodenervation of neck muscles" + (", both sides" if bilateral_neck else ", one side")
    else:
        code, mods = billing.CPT_MIGRAINE, ()
        desc = "Chemodenervation for chronic migraine (bilateral), once per session"
    bu = math.ceil(u / p.billing_unit)
    per_year = 365 // interval_days
    reasons = [
        f"{code}{'-' + '-'.join(mods) if mods else ''}: {desc}",
        f"{p.hcpcs} × {bu}: {u:g} U of {p.brand} at {p.billing_unit} U per billing unit (rounded up)",
        f"{per_year} sessions per year at one every {interval_days} days",
    ]
    return PlannedCodes(code, mods, desc, p.hcpcs, bu, u, per_year, reasons)

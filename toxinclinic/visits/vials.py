"""The vials of a draft visit: open one of the clinic's stock for the visit (checked against the visit's
product and date, the lot's expiry and the product's beyond-use hours) or return one picked by mistake.

The vial's own state (opened, returned, used) is written by ``inventory.services``; this module records
the visit's use of it (units administered and discarded, U of the product).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone

from toxinclinic.clinical import products
from toxinclinic.clinical._common import fmt_units
from toxinclinic.core.errors import FieldError
from toxinclinic.inventory.models import Vial, VialStatus
from toxinclinic.inventory.services import clinic_vial, open_vial, return_vial
from toxinclinic.patients.services import parse_public_id
from toxinclinic.visits.checks import MAX_UNITS
from toxinclinic.visits.drafts import aware, edit_draft
from toxinclinic.visits.models import VialUse, Visit


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
    reconstituted_at = aware(reconstituted_at)
    vial = clinic_vial(visit.clinic_id, vial_id)
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
        opened = open_vial(vial, actor=actor, diluent_ml=diluent_ml, reconstituted_at=reconstituted_at)
        VialUse.objects.create(
            visit=v,
            vial=opened,
            units_administered=units_administered,
            units_discarded=units_discarded,
            recorded_by=actor,
        )
        return {"vial": str(opened.public_id), "lot": lot.lot_number}

    return edit_draft(visit, expected_version, actor=actor, action="visit.vial_added", apply=apply)


def remove_vial_use(visit: Visit, expected_version: int | None, *, actor: Any, use_id: str) -> Visit:
    """Undo a vial picked by mistake: it goes back to stock."""
    use = (
        VialUse.objects.filter(visit=visit, public_id=parse_public_id(use_id)).select_related("vial").first()
    )
    if use is None:
        raise Http404("No such vial on this visit.")

    def apply(v: Visit) -> dict[str, Any]:
        VialUse.objects.filter(pk=use.pk).delete()
        vial = return_vial(use.vial_id, actor=actor)
        return {"vial": str(vial.public_id)}

    return edit_draft(visit, expected_version, actor=actor, action="visit.vial_removed", apply=apply)

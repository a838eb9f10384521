"""The vial step groups the stock by product and lot (lot, expiry, count at this location), puts the
lots opened for this visit first, and hides other locations unless asked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import draft_visit, location, vials

pytestmark = pytest.mark.django_db


def test_vials_grouped_by_lot_here_first_other_locations_on_request(world: Any, client_as: Any) -> None:
    from toxinclinic.inventory.models import Vial

    main = location(world.clinic)
    annex = location(world.clinic, "Annex")
    v = draft_visit(world, location=main)
    v = svc.apply_protocol(v, v.version, actor=world.user("clinician"), key="preempt")
    late = vials(
        world.clinic, 3, size=200, lot_number="LATE1", expiry=timezone.localdate() + dt.timedelta(days=300)
    )
    vials(world.clinic, 2, size=200, lot_number="SOON1", expiry=timezone.localdate() + dt.timedelta(days=20))
    far = vials(world.clinic, 4, size=200, lot_number="FAR9")
    Vial.objects.filter(pk__in=[x.pk for x in far]).update(location=annex)
    c = client_as("nurse")
    page = c.get(f"/visits/{v.public_id}/vials/").content.decode()
    assert page.count('class="vial-option') == 2  # one per lot here, not one per vial
    assert page.index("lot SOON1") < page.index("lot LATE1")  # first-expiring first
    assert "3 vials at Main" in page and "2 vials at Main" in page
    assert "FAR9" not in page and "4 more vials at other locations" in page
    everywhere = c.get(f"/visits/{v.public_id}/vials/?locations=all").content.decode()
    assert "lot FAR9" in everywhere and "4 vials at Annex" in everywhere
    # After a vial of LATE1 is opened for the visit, its lot comes first.
    v = svc.add_vial_use(
        v,
        v.version,
        actor=world.user("nurse"),
        vial_id=late[0].public_id,
        diluent_ml=4,
        reconstituted_at=timezone.now(),
        units_administered=100,
        units_discarded=0,
    )
    page = c.get(f"/visits/{v.public_id}/vials/").content.decode()
    assert page.index("lot LATE1") < page.index("lot SOON1") and "opened for this visit" in page
    assert "2 vials at Main" in page  # 3 - 1 opened

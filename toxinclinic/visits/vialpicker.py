"""The vial step's picker: the pickable vials grouped by product, lot, vial size and location, so a
nurse chooses a lot (lot, expiry, how many at this location) rather than one of forty identical rows.

Lots already opened for this visit come first (the next vial is usually from the same lot), then the
first-expiring. Only the visit's location is shown unless the other locations are asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from toxinclinic.inventory.models import Vial


@dataclass(frozen=True)
class VialGroup:
    """In-stock vials of one lot and size at one location; ``vial`` is the one a pick opens (the
    first-created of them)."""

    vial: Vial
    count: int
    opened_for_visit: bool
    expiring: bool

    @property
    def lot(self) -> Any:
        return self.vial.lot

    @property
    def location(self) -> Any:
        return self.vial.location


def vial_groups(stock: Iterable[Vial], *, opened_lot_ids: Iterable[int], soon: dt.date) -> list[VialGroup]:
    opened = set(opened_lot_ids)
    by_key: dict[tuple[int, int, int], list[Vial]] = {}
    for v in stock:
        by_key.setdefault((v.lot_id, v.size_units, v.location_id), []).append(v)
    groups = [
        VialGroup(vials[0], len(vials), vials[0].lot_id in opened, vials[0].lot.expiry_date <= soon)
        for vials in by_key.values()
    ]
    return sorted(
        groups,
        key=lambda g: (not g.opened_for_visit, g.lot.expiry_date, g.lot.lot_number, g.vial.size_units),
    )


def split_by_location(
    groups: Sequence[VialGroup], location_id: int | None
) -> tuple[list[VialGroup], list[VialGroup]]:
    """(groups at the visit's location, groups elsewhere); without a visit location all are "here"."""
    if location_id is None:
        return list(groups), []
    here = [g for g in groups if g.vial.location_id == location_id]
    return here, [g for g in groups if g.vial.location_id != location_id]

"""Who received a lot: the visits' answer to inventory's recall search (plug-in, see ``core.plugins``)."""

from __future__ import annotations

from typing import Any

from toxinclinic.visits.services import lot_recipients


def recipients(lot: Any) -> list[Any]:
    """Every signed visit's use of a vial of ``lot``, oldest first (``VialUse`` rows, visit and patient)."""
    return list(lot_recipients(lot))

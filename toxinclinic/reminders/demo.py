"""Demo step: start the reminder sweep's chain (a worker started by the demo then keeps it going)."""

from __future__ import annotations

from typing import Any

from toxinclinic.reminders import services

DEMO_ORDER = 90


def seed(ctx: Any) -> None:
    services.ensure_ticking()

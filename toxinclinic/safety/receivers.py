"""React to other rooms' events without importing the apps above."""

from __future__ import annotations

from typing import Any

from toxinclinic.safety.services import schedule_check_ins


def on_session_recorded(sender: Any, session: Any, created: bool, **kwargs: Any) -> None:
    """Schedule a recorded session's check-ins (idempotent: a refreshed session keeps its check-ins)."""
    schedule_check_ins(session)

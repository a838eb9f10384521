"""Keep the stored cycle outcomes current: every fact they are judged from, on write, inside the writer's
transaction (so the report never sees a session without its row)."""

from __future__ import annotations

from typing import Any

from toxinclinic.cycles.outcomes import refresh_patient


def on_session_recorded(sender: Any, session: Any, created: bool, **kwargs: Any) -> None:
    refresh_patient(session.patient_id)


def on_month_stored(sender: Any, patient_id: int, month: Any, counted: bool = True, **kwargs: Any) -> None:
    # Cycle figures count sufficient months only: a month that stays insufficient changes none of them.
    if counted:
        refresh_patient(patient_id)


def on_response_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        refresh_patient(instance.patient_id)


def on_response_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    refresh_patient(instance.patient_id)

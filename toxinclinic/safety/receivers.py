"""React to other apps' events without importing their models."""

from __future__ import annotations

from typing import Any

from toxinclinic.safety.services import record_session


def on_visit_signed(sender: Any, **kwargs: Any) -> None:
    """Store the session snapshot and schedule its check-ins (see ``core.signals.visit_signed``)."""
    record_session(
        visit_id=kwargs["visit_id"],
        patient=kwargs["patient"],
        clinic_id=kwargs["clinic_id"],
        injected_on=kwargs["injected_on"],
        product=kwargs["product"],
        indication=kwargs["indication"],
        total_units=kwargs["total_units"],
        sites=kwargs.get("sites") or [],
        signed_by=kwargs.get("signed_by"),
    )

"""Store a signed visit's session when the visits app says it was signed."""

from __future__ import annotations

from typing import Any

from toxinclinic.treatment.services import record_session


def on_visit_signed(sender: Any, **kwargs: Any) -> None:
    """See ``core.signals.visit_signed`` for the keyword arguments."""
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

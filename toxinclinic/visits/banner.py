"""The visits app's part of the chart's safety banner (``patients.banner``): every toxin injection, signed
here or recorded as given elsewhere, as the dose checks read them (``history.history_sessions``)."""

from __future__ import annotations

from typing import Any

from toxinclinic.clinical import banner as engine
from toxinclinic.patients.models import Patient
from toxinclinic.visits.history import history_sessions


def banner_facts(patient: Patient, *, exclude: Any = None) -> dict[str, Any]:
    """``exclude``: a draft visit whose own units do not count."""
    return {
        "injections": [
            engine.Injection(s.date, s.product, s.total_units) for s in history_sessions(patient, exclude)
        ]
    }

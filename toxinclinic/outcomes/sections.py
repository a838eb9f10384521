"""The questionnaires card on the clinician's view of a patient's diary (``core.plugins`` "sections"):
each instrument's history with the change since baseline, so the diary app need not read this one."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.plugins import Panel
from toxinclinic.outcomes.services import history_for
from toxinclinic.patients.models import Patient


def sections(request: Any, patient: Patient, page: str) -> list[Panel]:
    if page != "diary":
        return []
    return [Panel("outcomes/section_history.html", {"history": history_for(patient)}, order=50)]

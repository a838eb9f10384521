"""The patient's home screen: their next appointment, with "Add to calendar"."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.plugins import Panel
from toxinclinic.patients.models import Patient
from toxinclinic.scheduling.appointments import next_appointment


def panels(request: Any) -> list[Panel]:
    user = request.user
    if getattr(user, "role", None) != "patient":
        return []
    patient = Patient.objects.filter(user=user).select_related("clinic").first()
    if patient is None:
        return []
    appt = next_appointment(patient.clinic_id, patient.pk)
    return [Panel("scheduling/panel_next.html", {"a": appt, "clinic": patient.clinic}, order=15)]

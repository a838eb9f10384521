"""The patient's home cards that join several workflows: what the clinic needs from them now (check-ins
from safety, questionnaires from outcomes, missing diary days from diary) and their treatment status
(last session and next window from the treatment room, aftercare). Staff cards stay in each app."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from toxinclinic.core.plugins import Panel
from toxinclinic.diary.services import missing_days
from toxinclinic.outcomes.services import due_for
from toxinclinic.patients.models import Patient
from toxinclinic.safety.services import open_check_ins
from toxinclinic.treatment.services import treatment_status


def panels(request: Any) -> list[Panel]:
    user = request.user
    if getattr(user, "role", None) != "patient":
        return []
    patient = Patient.objects.filter(user=user).select_related("clinic").first()
    if patient is None:
        return []
    today = timezone.localdate()
    todo = {
        "check_ins": open_check_ins(patient, today),
        "missing": missing_days(patient, today),
        "questionnaires": due_for(patient, today),
    }
    return [
        Panel("home/panel_todo.html", todo, order=20),
        Panel(
            "home/panel_treatment.html",
            {"treatment": treatment_status(patient, today), "clinic": patient.clinic},
            order=30,
        ),
    ]

"""Home-screen cards: what the clinic needs from the patient and their treatment; urgent items for staff."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from toxinclinic.core.plugins import Panel
from toxinclinic.patients.models import Patient
from toxinclinic.safety import services
from toxinclinic.safety.models import TriageItem, TriageStatus
from toxinclinic.safety.permissions import can_work_triage_queue
from toxinclinic.treatment.services import treatment_status


def panels(request: Any) -> list[Panel]:
    user = request.user
    if getattr(user, "role", None) == "patient":
        patient = Patient.objects.filter(user=user).select_related("clinic").first()
        if patient is None:
            return []
        from toxinclinic.diary.services import missing_days
        from toxinclinic.outcomes.services import due_for

        today = timezone.localdate()
        todo = {
            "check_ins": services.open_check_ins(patient, today),
            "missing": missing_days(patient, today),
            "questionnaires": due_for(patient, today),
        }
        out = [Panel("safety/panel_todo.html", todo, order=20)]
        out.append(
            Panel(
                "safety/panel_treatment.html",
                {"treatment": treatment_status(patient, today), "clinic": patient.clinic},
                order=30,
            )
        )
        return out
    if can_work_triage_queue(user):
        items = list(
            TriageItem.objects.filter(clinic_id=user.clinic_id, level="urgent")
            .exclude(status=TriageStatus.CLOSED)
            .select_related("patient", "report")
            .order_by("reported_at")[:10]
        )
        return [Panel("safety/panel_urgent.html", {"items": items, "now": timezone.now()}, order=10)]
    return []

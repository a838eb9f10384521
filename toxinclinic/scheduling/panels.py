"""Home-screen cards: the patient's next appointment (with "Add to calendar"); for staff, the recall list's
overdue and due-soon counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.accounts.permissions import is_staff_member
from toxinclinic.core.plugins import Panel
from toxinclinic.patients.models import Patient
from toxinclinic.scheduling.appointments import last_attended, next_appointment
from toxinclinic.scheduling.services import recall_list


def _recall_card(user: Any) -> Panel:
    today = timezone.localdate()
    due = recall_list(user, today, which="due", days=14)
    context = {
        "overdue": recall_list(user, today, which="overdue").count(),
        "due_count": due.count(),
        "due": list(due[:5]),
        "soon": today + dt.timedelta(days=14),
    }
    return Panel("scheduling/panel_recalls.html", context, order=11)


def panels(request: Any) -> list[Panel]:
    user = request.user
    if is_staff_member(user):
        return [_recall_card(user)]
    if getattr(user, "role", None) != "patient":
        return []
    patient = Patient.objects.filter(user=user).select_related("clinic").first()
    if patient is None:
        return []
    appt = next_appointment(patient.clinic_id, patient.pk)
    last = last_attended(patient.clinic_id, patient.pk)
    context = {"a": appt, "last": last, "clinic": patient.clinic}
    return [Panel("scheduling/panel_next.html", context, order=15)]

"""Home-screen cards: today's diary for the patient; medication-overuse flags for clinical staff.

Reads only: a stale stored verdict is judged from the stored counts for the card and the background
refresh is queued (``services.flagged_for_clinic``); no page view writes a verdict."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone

from toxinclinic.core.plugins import Panel
from toxinclinic.diary import services
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.diary.permissions import can_list_diary_flags
from toxinclinic.patients.access import own_patient
from toxinclinic.patients.models import Patient

#: Stale verdicts judged for one view of the card (from stored counts); the rest wait for the task.
PANEL_JUDGE_LIMIT = 200
SHOWN = 15


def panels(request: Any) -> list[Panel]:
    user = request.user
    if getattr(user, "role", None) == "patient":
        try:
            patient = own_patient(user)
        except Http404:  # a login not linked to a record yet has no cards
            return []
        today = timezone.localdate()
        entry = DiaryEntry.objects.filter(patient=patient, date=today).first()
        return [
            Panel(
                "diary/panel_today.html",
                {
                    "today": today,
                    "entry": entry,
                    "text": _text(entry),
                    "enrolled": patient.enrolled_on <= today,
                },
                order=10,
            )
        ]
    if can_list_diary_flags(user):
        found = services.flagged_for_clinic(user.clinic_id, judge_limit=PANEL_JUDGE_LIMIT)
        ids = found["patient_ids"]
        shown = Patient.objects.filter(pk__in=ids, clinic_id=user.clinic_id).order_by(
            "last_name", "first_name"
        )
        flagged = [_Flag(p) for p in shown[:SHOWN]]
        return [
            Panel(
                "diary/panel_moh.html",
                {"flagged": flagged, "total": len(ids), "end": found["end"], "unchecked": found["unchecked"]},
                order=20,
            )
        ]
    return []


class _Flag:
    """One flagged patient on the card (the template reads ``.patient``)."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient


def _text(entry: DiaryEntry | None) -> str:
    if entry is None:
        return ""
    from toxinclinic.diary.views import _describe

    return _describe(entry)

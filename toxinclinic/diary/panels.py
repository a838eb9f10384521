"""Home-screen cards: today's diary for the patient; medication-overuse flags for clinical staff."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

from toxinclinic.core.plugins import Panel
from toxinclinic.diary import services
from toxinclinic.diary.models import DiaryEntry, DiaryStatus
from toxinclinic.diary.permissions import can_list_diary_flags
from toxinclinic.diary.tasks import refresh_moh_flags
from toxinclinic.patients.models import Patient

PANEL_REFRESH_LIMIT = 200
log = logging.getLogger(__name__)


def panels(request: Any) -> list[Panel]:
    user = request.user
    if getattr(user, "role", None) == "patient":
        patient = Patient.objects.filter(user=user).first()
        if patient is None:
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
        end = services.moh_end(timezone.localdate())
        # Verdicts stored before the judged months moved on are re-judged here (a few hundred at a time,
        # cheap: stored month counts) and the rest in the background, so no flag waits for a diary save.
        try:
            _refresh_flags(user.clinic_id)
        except OperationalError:  # the database is busy: show the flags as stored, refresh next time
            log.warning("medication-overuse refresh deferred for clinic %s: database busy", user.clinic_id)
        flagged = list(
            DiaryStatus.objects.filter(clinic_id=user.clinic_id, moh_met=True, moh_end=end)
            .select_related("patient")
            .order_by("patient__last_name", "patient__first_name")[:15]
        )
        total = DiaryStatus.objects.filter(clinic_id=user.clinic_id, moh_met=True, moh_end=end).count()
        return [Panel("diary/panel_moh.html", {"flagged": flagged, "total": total, "end": end}, order=20)]
    return []


def _refresh_flags(clinic_id: int) -> None:
    if services.refresh_stale_moh(clinic_id, limit=PANEL_REFRESH_LIMIT) < PANEL_REFRESH_LIMIT:
        return
    # More remain: one queued refresh per clinic at a time (best effort; the task is idempotent).
    key = f"diary:moh-refresh:{clinic_id}"
    if cache.add(key, 1, 600):
        try:
            refresh_moh_flags.enqueue(clinic_id)
        except Exception:
            cache.delete(key)
            raise


def _text(entry: DiaryEntry | None) -> str:
    if entry is None:
        return ""
    from toxinclinic.diary.views import _describe

    return _describe(entry)

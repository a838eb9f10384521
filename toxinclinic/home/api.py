"""The patient's to-do across workflows (``GET /api/v1/to-do``): missing diary days, questionnaires due,
open check-ins. Composed here, in the top room, so safety, diary and outcomes need not read each other."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from toxinclinic.diary.models import DiaryEntry
from toxinclinic.diary.services import missing_days
from toxinclinic.outcomes.services import due_for
from toxinclinic.patients.access import own_patient
from toxinclinic.safety.api import CheckInOut, check_in_out
from toxinclinic.safety.services import open_check_ins

API_PREFIX = ""
router = Router(tags=["after injection"])


class ToDoOut(Schema):
    missing_diary_days: list[dt.date]
    today_recorded: bool
    questionnaires_due: list[str]
    check_ins_open: list[CheckInOut]


@router.get("/to-do", response=ToDoOut, summary="What the clinic needs from me now")
def my_to_do(request: HttpRequest) -> Any:
    patient = own_patient(request.user, refused="Only the patient has a to-do list; staff open the chart.")
    today = timezone.localdate()
    return {
        "missing_diary_days": missing_days(patient, today),
        "today_recorded": DiaryEntry.objects.filter(patient=patient, date=today).exists(),
        "questionnaires_due": [d.instrument.key for d in due_for(patient, today)],
        "check_ins_open": [check_in_out(c) for c in open_check_ins(patient, today)],
    }

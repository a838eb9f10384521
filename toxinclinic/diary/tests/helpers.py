"""Builders for the diary's own tests (the ones other apps share are in ``toxinclinic.testing``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.diary import services
from toxinclinic.testing import today, triptan

MIGRAINE_DAY: dict[str, Any] = {
    "headache": True,
    "duration_hours": 8,
    "severity": "severe",
    "unilateral": True,
    "pulsating": True,
    "nausea": True,
}


def overuse_diary(patient: Any) -> None:
    """Three full months of daily headaches treated with a triptan: ICHD-3 8.2 met."""
    med = triptan(patient)
    end = services.month_start(today()) - dt.timedelta(days=1)
    start = services.shift_month(services.month_start(end), -2)
    patient.enrolled_on = start
    patient.save()
    d = start
    while d <= end:
        day = services.DayInput(
            headache=True, duration_hours=6, severity="moderate", medications=[str(med.public_id)]
        )
        # Old days go in through the service with "today" moved, as the demo generator does.
        clean = services.validate_day(patient, d, day, today=d)
        services.save_day(patient, clean, actor=None)
        d += dt.timedelta(days=1)

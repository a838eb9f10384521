"""Small builders shared by the portal apps' tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from toxinclinic.core.signals import visit_signed
from toxinclinic.patients.models import Medication


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def triptan(patient: Any, name: str = "Sumatriptan") -> Medication:
    return Medication.objects.create(patient=patient, name=name, drug_class="triptan", dose="50 mg")


def sign_visit(patient: Any, injected_on: dt.date, signed_by: Any = None, **kw: Any) -> str:
    """Simulate the visits app signing a visit: send ``visit_signed`` as it does."""
    visit_id = str(uuid.uuid4())
    visit_signed.send(
        sender=None,
        visit_id=visit_id,
        patient=patient,
        clinic_id=patient.clinic_id,
        injected_on=injected_on,
        product=kw.get("product", "botox"),
        indication=kw.get("indication", "chronic_migraine"),
        total_units=kw.get("total_units", 155.0),
        sites=kw.get(
            "sites",
            [
                {"muscle": "frontalis", "side": "left", "units": 5.0},
                {"muscle": "trapezius", "side": "right", "units": 15.0},
            ],
        ),
        signed_by=signed_by,
    )
    return visit_id


MIGRAINE_DAY: dict[str, Any] = {
    "headache": True,
    "duration_hours": 8,
    "severity": "severe",
    "unilateral": True,
    "pulsating": True,
    "nausea": True,
}


def overuse_diary(patient: Any) -> None:
    from toxinclinic.diary import services

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

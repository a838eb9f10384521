"""Builders the test suites of several apps share (real rows and real signals, no stubs).

Browser helpers are in :mod:`toxinclinic.testing.browser` (they import Playwright)."""

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
    """An acute triptan on the patient's chart."""
    return Medication.objects.create(patient=patient, name=name, drug_class="triptan", dose="50 mg")


def sign_visit(patient: Any, injected_on: dt.date, signed_by: Any = None, **kw: Any) -> str:
    """Send ``visit_signed`` as the visits app does when a visit is signed (for apps that only listen)."""
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

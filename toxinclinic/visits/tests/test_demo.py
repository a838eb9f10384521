"""The demo generator: signed history through sign_visit (signal fired), Maya's PREEMPT sessions, one
override, a lot that makes a good recall search, stock with an expiry alert."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from toxinclinic.core.signals import visit_signed
from toxinclinic.inventory.demo import RECALL_LOT
from toxinclinic.inventory.models import Lot, Vial, VialStatus
from toxinclinic.patients.models import Patient
from toxinclinic.visits.models import DoseOverride, Visit, VisitStatus
from toxinclinic.visits.services import lot_recipients


@pytest.mark.django_db(transaction=True)
def test_demo_history(django_capture_on_commit_callbacks: Any) -> None:
    fired: list[str] = []

    def receiver(sender: Any, **kw: Any) -> None:
        fired.append(kw["visit_id"])

    visit_signed.connect(receiver)
    try:
        call_command("demo_seed", patients=40, seed=11)
    finally:
        visit_signed.disconnect(receiver)
    signed = Visit.objects.filter(status=VisitStatus.SIGNED)
    assert signed.count() > 40
    assert len(fired) == signed.count()
    maya = Patient.objects.get(user__username="patient")
    sessions = list(Visit.objects.filter(patient=maya, status=VisitStatus.SIGNED).order_by("visit_date"))
    assert len(sessions) >= 2 and {v.protocol for v in sessions} == {"preempt"}
    assert 63 <= (timezone.localdate() - sessions[-1].visit_date).days <= 77
    override = DoseOverride.objects.get()
    assert override.rule == "min_interval" and override.prescriber.is_prescriber
    assert lot_recipients(Lot.objects.get(lot_number=RECALL_LOT)).count() >= 3
    assert Vial.objects.filter(status=VialStatus.IN_STOCK, lot__lot_number="C7415B").exists()
    assert signed.filter(indication="cervical_dystonia").exists()
    assert Visit.objects.filter(status=VisitStatus.DRAFT, visit_date=timezone.localdate()).exists()

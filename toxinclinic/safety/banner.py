"""The safety app's part of the chart's safety banner (``patients.banner``): urgent side-effect reports
still open on the triage queue (read here, written only by the triage workflow)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from toxinclinic.clinical import banner as engine
from toxinclinic.patients.models import Patient
from toxinclinic.safety.models import Level, TriageItem, TriageStatus


def banner_facts(patient: Patient, *, exclude: Any = None) -> dict[str, Any]:
    rows = (
        TriageItem.objects.filter(patient=patient, level=Level.URGENT)
        .exclude(status=TriageStatus.CLOSED)
        .select_related("report")
        .order_by("-reported_at")
    )
    return {
        "urgent_reports": [
            engine.UrgentReport(
                timezone.localtime(r.reported_at).date(), tuple(r.report.symptoms or ()), r.status
            )
            for r in rows
        ]
    }

"""The chart's prior preventives, judged by the engine (``clinical.eligibility.preventive_failures``)."""

from __future__ import annotations

from django.conf import settings

from toxinclinic.clinical import eligibility
from toxinclinic.clinical.eligibility import Verdict
from toxinclinic.patients.models import Patient, PreventiveTrial

# A clinic's payer policy: how many preventive classes must have failed (clinical-reference §7).
REQUIRED_CLASSES = getattr(settings, "TOXINCLINIC_REQUIRED_PREVENTIVE_CLASSES", 2)


def preventive_verdict(patient: Patient) -> tuple[Verdict, list[str]]:
    """The engine's verdict over the chart's finished trials, and the rows it could not judge (with why)."""
    trials: list[eligibility.PreventiveTrial] = []
    skipped: list[str] = []
    for row in PreventiveTrial.objects.filter(patient=patient).order_by("started_on"):
        if row.outcome not in eligibility.OUTCOMES:
            skipped.append(f"{row.drug}: {row.get_outcome_display().lower()}, not yet a failure")
            continue
        if row.drug_class not in eligibility.PREVENTIVE_CLASSES:
            skipped.append(f"{row.drug}: not an established preventive class")
            continue
        try:
            trials.append(
                eligibility.PreventiveTrial(
                    drug=row.drug,
                    drug_class=row.drug_class,
                    start=row.started_on,
                    end=row.ended_on,
                    at_target_dose=row.at_target_dose,
                    outcome=row.outcome,
                )
            )
        except ValueError as exc:
            skipped.append(f"{row.drug}: {exc}")
    return eligibility.preventive_failures(trials, required_classes=REQUIRED_CLASSES), skipped

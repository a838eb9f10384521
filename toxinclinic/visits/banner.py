"""The one service that gathers the chart facts for the safety banner (``clinical.banner``): allergies,
active medicines, unresolved history, every toxin injection here or elsewhere, and urgent side-effect
reports still open on the triage queue. Shown on the chart, every visit step, the sign page, the triage
item and the clinician's diary view through ``visits/_safety_banner.html``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from toxinclinic.clinical import banner as engine
from toxinclinic.patients.models import Allergy, HistoryItem, Medication, Patient
from toxinclinic.visits.history import clinic_dates, history_sessions
from toxinclinic.visits.models import Visit


def _interval_days() -> int:
    from toxinclinic.treatment.conf import recall_interval_days

    return recall_interval_days()


def _urgent_reports(patient: Patient) -> list[engine.UrgentReport]:
    # The triage queue belongs to the safety app; it is read here, never written.
    from toxinclinic.safety.models import Level, TriageItem, TriageStatus

    rows = (
        TriageItem.objects.filter(patient=patient, level=Level.URGENT)
        .exclude(status=TriageStatus.CLOSED)
        .select_related("report")
        .order_by("-reported_at")
    )
    return [
        engine.UrgentReport(
            timezone.localtime(r.reported_at).date(), tuple(r.report.symptoms or ()), r.status
        )
        for r in rows
    ]


def chart_facts(
    patient: Patient, today: dt.date | None = None, exclude: Visit | None = None
) -> engine.ChartFacts:
    """What the chart holds for the banner (``exclude``: a draft visit whose own units do not count)."""
    today = today or timezone.localdate()
    return engine.ChartFacts(
        today=today,
        allergies=[
            engine.Allergy(a.substance, a.botulinum_toxin, a.reaction)
            for a in Allergy.objects.filter(patient=patient).order_by("created_at")
        ],
        medications=[
            engine.Medication(m.name, m.drug_class)
            for m in Medication.objects.filter(patient=patient, stopped_on__isnull=True).order_by("name")
        ],
        conditions=[
            engine.Condition(h.condition, h.get_condition_display())
            for h in HistoryItem.objects.filter(patient=patient, resolved_on__isnull=True)
        ],
        injections=[
            engine.Injection(s.date, s.product, s.total_units) for s in history_sessions(patient, exclude)
        ],
        urgent_reports=_urgent_reports(patient),
        interval_days=_interval_days(),
    )


def safety_banner(
    patient: Patient, today: dt.date | None = None, exclude: Visit | None = None
) -> engine.Banner:
    """The banner for ``patient``: the engine's items, in the clinic's date format."""
    return engine.build(chart_facts(patient, today, exclude), format_date=clinic_dates(patient.clinic))

"""The chart's safety banner (``clinical.banner``), gathered from every room that holds one of its facts.

The banner is shown wherever a dose can be decided (chart, every visit step, the sign page, the triage
item, the clinician's diary view). Its facts live in several rooms: the chart's allergies, active
medicines and unresolved history here; the injections in ``visits``; the open urgent reports in
``safety``; the re-treatment interval in ``treatment``. Rather than importing those rooms (sideways or
upward), this module asks each app's ``banner.py`` plug-in (``core.plugins``) for its part:

    def banner_facts(patient, *, exclude=None) -> dict[str, Any]

keyed by :class:`clinical.banner.ChartFacts` field names; list values are joined, a scalar is taken as
given. ``exclude`` is an opaque draft visit whose own units must not count (only the visits plug-in reads
it). This module is itself the patients app's plug-in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import banner as engine
from toxinclinic.core.plugins import app_modules
from toxinclinic.patients.models import Allergy, HistoryItem, Medication, Patient


def banner_facts(patient: Patient, *, exclude: Any = None) -> dict[str, Any]:
    """The chart's own part: allergies, active medicines, unresolved history."""
    return {
        "allergies": [
            engine.Allergy(a.substance, a.botulinum_toxin, a.reaction)
            for a in Allergy.objects.filter(patient=patient).order_by("created_at")
        ],
        "medications": [
            engine.Medication(m.name, m.drug_class)
            for m in Medication.objects.filter(patient=patient, stopped_on__isnull=True).order_by("name")
        ],
        "conditions": [
            engine.Condition(h.condition, h.get_condition_display())
            for h in HistoryItem.objects.filter(patient=patient, resolved_on__isnull=True)
        ],
    }


def chart_facts(patient: Patient, today: dt.date | None = None, exclude: Any = None) -> engine.ChartFacts:
    """What the chart holds for the banner, from every app's ``banner.py`` (``WORKFLOW_APPS`` order)."""
    facts: dict[str, Any] = {}
    for mod in app_modules("banner"):
        for key, value in mod.banner_facts(patient, exclude=exclude).items():
            if isinstance(value, list | tuple):
                facts.setdefault(key, []).extend(value)
            else:
                facts[key] = value
    return engine.ChartFacts(today=today or timezone.localdate(), **facts)


def safety_banner(patient: Patient, today: dt.date | None = None, exclude: Any = None) -> engine.Banner:
    """The banner for ``patient``: the engine's items, in the clinic's date format."""
    clinic = patient.clinic
    return engine.build(chart_facts(patient, today, exclude), format_date=lambda d: format_date(d, clinic))

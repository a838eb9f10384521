"""What the chart already says about the pre-treatment checklist.

Only the mapping from chart rows to the engine's questions lives here; which answers are a stop or a
concern, and why, is the engine's (``clinical.screening``). A question starts answered only when a chart
row holds the fact, and then says which row ("Yes — Warfarin on the medication list, added
Mar 12, 2026", in the clinic's date format). The absence of a row is never an answer: such a question
stays unanswered for the nurse.

``TOXINCLINIC_PREGNANCY_QUESTION_AGES`` (a ``(min, max)`` pair of years) changes the ages at which a
female patient is asked about pregnancy and breastfeeding; the default is the engine's
``ScreeningPolicy`` (12–55, with its reason).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import screening
from toxinclinic.patients.models import Allergy, HistoryItem, Medication, Patient

# Kept under their old names for callers that map chart rows.
MEDICATION_FLAGS = screening.MEDICATION_CLASS_QUESTIONS
HISTORY_FLAGS = screening.HISTORY_CONDITION_QUESTIONS


def screening_policy() -> screening.ScreeningPolicy:
    ages = getattr(settings, "TOXINCLINIC_PREGNANCY_QUESTION_AGES", None)
    if ages is None:
        return screening.ScreeningPolicy()
    low, high = ages
    return screening.ScreeningPolicy(pregnancy_min_age=int(low), pregnancy_max_age=int(high))


def age_on(patient: Patient, day: dt.date) -> int:
    born = patient.date_of_birth
    return max(0, day.year - born.year - ((day.month, day.day) < (born.month, born.day)))


def not_applicable(patient: Patient, day: dt.date) -> dict[str, str]:
    """Questions not asked of this patient on ``day``, each with its reason (the engine's rule)."""
    return screening.not_applicable(patient.sex, age_on(patient, day), screening_policy())


@dataclass
class ChartAnswers:
    """Answers the chart holds (all "yes"), each with the sentence that says where it came from."""

    answers: dict[str, bool] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, source: str) -> None:
        self.answers[key] = True
        self.sources.setdefault(key, []).append(source)

    def source(self, key: str) -> str | None:
        found = self.sources.get(key)
        return "Yes — " + "; ".join(found) if found else None


def _added(row: object, clinic: object = None) -> str:
    """The ", added Mar 12, 2026" of a source: the day the row was added, in the clinic's time zone and
    date format."""
    created = getattr(row, "created_at", None)
    return f", added {format_date(created, clinic)}" if created else ""


def chart_answers(patient: Patient) -> ChartAnswers:
    """The checklist answers the chart holds: toxin allergies, active medicines of a class that matters,
    unresolved history items."""
    out, clinic = ChartAnswers(), patient.clinic
    for a in Allergy.objects.filter(patient=patient, botulinum_toxin=True).order_by("created_at"):
        out.add("hypersensitivity_to_toxin", f"allergy to {a.substance} on the chart{_added(a, clinic)}")
    meds = Medication.objects.filter(
        patient=patient, stopped_on__isnull=True, drug_class__in=MEDICATION_FLAGS
    ).order_by("created_at")
    for m in meds:
        out.add(MEDICATION_FLAGS[m.drug_class], f"{m.name} on the medication list{_added(m, clinic)}")
    hist = HistoryItem.objects.filter(
        patient=patient, resolved_on__isnull=True, condition__in=HISTORY_FLAGS
    ).order_by("created_at")
    for h in hist:
        what = h.get_condition_display().lower()
        out.add(HISTORY_FLAGS[h.condition], f"{what} in the history{_added(h, clinic)}")
    return out


def chart_concerns(patient: Patient) -> list[dict[str, object]]:
    """The engine's stop and concern items that the chart alone already raises."""
    chart = chart_answers(patient)
    items = screening.screen(screening.ScreeningInput(**chart.answers))
    return [
        {"status": item.status, "reason": item.reason, "sources": chart.sources.get(item.key, [])}
        for item in items
        if item.status in (screening.STOP, screening.CONCERN)
    ]

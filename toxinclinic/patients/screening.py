"""What the chart already says about the pre-treatment checklist.

Only the mapping from chart rows to the engine's ``ScreeningInput`` lives here; which
answers are a stop or a concern, and why, is the engine's (``clinical.screening``).
Items a chart cannot know (infection at a site today, other toxin recently) stay False
for the nurse to answer at the visit.
"""

from __future__ import annotations

from toxinclinic.clinical import screening
from toxinclinic.patients.models import Allergy, HistoryItem, Medication, Patient

# Chart medication class -> checklist question it answers.
MEDICATION_FLAGS = {
    "anticoagulant": "anticoagulant_or_antiplatelet",
    "antiplatelet": "anticoagulant_or_antiplatelet",
    "aminoglycoside": "neuromuscular_blocking_drugs",
    "nmj_interfering": "neuromuscular_blocking_drugs",
    "muscle_relaxant": "muscle_relaxants",
    "anticholinergic": "anticholinergics",
}
# Chart history condition -> checklist question it answers.
HISTORY_FLAGS = {
    "myasthenia_gravis": "neuromuscular_junction_disorder",
    "lambert_eaton": "neuromuscular_junction_disorder",
    "motor_neuron_disease": "neuromuscular_junction_disorder",
    "other_neuromuscular": "neuromuscular_junction_disorder",
    "swallowing_difficulty": "swallowing_difficulty",
    "breathing_difficulty": "breathing_difficulty",
    "compromised_respiratory": "compromised_respiratory_function",
    "pregnancy": "pregnant",
    "breastfeeding": "breastfeeding",
}


def chart_answers(patient: Patient) -> tuple[screening.ScreeningInput, dict[str, list[str]]]:
    """The checklist as prefilled from the chart, and for each True answer the chart rows behind it."""
    sources: dict[str, list[str]] = {}
    for a in Allergy.objects.filter(patient=patient, botulinum_toxin=True):
        sources.setdefault("hypersensitivity_to_toxin", []).append(f"Allergy: {a.substance}")
    meds = Medication.objects.filter(
        patient=patient, stopped_on__isnull=True, drug_class__in=MEDICATION_FLAGS
    )
    for m in meds:
        sources.setdefault(MEDICATION_FLAGS[m.drug_class], []).append(
            f"{m.name} ({m.get_drug_class_display()})"
        )
    hist = HistoryItem.objects.filter(patient=patient, resolved_on__isnull=True, condition__in=HISTORY_FLAGS)
    for h in hist:
        sources.setdefault(HISTORY_FLAGS[h.condition], []).append(h.get_condition_display())
    return screening.ScreeningInput(**dict.fromkeys(sources, True)), sources


def chart_concerns(patient: Patient) -> list[dict[str, object]]:
    """The engine's non-passing checklist items that the chart alone already raises."""
    answers, sources = chart_answers(patient)
    return [
        {"status": item.status, "reason": item.reason, "sources": sources.get(item.key, [])}
        for item in screening.screen(answers)
        if item.status != screening.PASS
    ]

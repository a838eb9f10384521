"""Pre-treatment screening (clinical reference §5): contraindications and warnings.

Contraindications (hypersensitivity, infection at a planned site) are ``stop``; warnings are
``concern`` and need the prescriber's acknowledgement. Anticoagulants and antiplatelets raise a concern
about bruising and bleeding only: whether to pause them is the prescriber's decision and this engine never
advises a patient to stop them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

PASS = "pass"  # noqa: S105 -- a screening status, not a secret
CONCERN = "concern"
STOP = "stop"


@dataclass(frozen=True)
class ScreeningInput:
    """Answers to the pre-treatment checklist. All True/False; ``other_toxin_recent`` means another toxin
    product in the past months (the dose checker also derives this from session history)."""

    hypersensitivity_to_toxin: bool = False
    infection_at_site: bool = False
    neuromuscular_junction_disorder: bool = False
    swallowing_difficulty: bool = False
    breathing_difficulty: bool = False
    neuromuscular_blocking_drugs: bool = False
    muscle_relaxants: bool = False
    anticholinergics: bool = False
    other_toxin_recent: bool = False
    anticoagulant_or_antiplatelet: bool = False
    pregnant: bool = False
    breastfeeding: bool = False
    compromised_respiratory_function: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), bool):
                raise ValueError(f"{f.name}: {getattr(self, f.name)!r} is not True/False")


@dataclass(frozen=True)
class ScreeningItem:
    key: str
    status: str  # pass | concern | stop
    reason: str
    needs_acknowledgement: bool


# key -> (status when True, question, reason when True)
_RULES: dict[str, tuple[str, str, str]] = {
    "hypersensitivity_to_toxin": (
        STOP,
        "Allergy to any botulinum toxin product or ingredient",
        "Contraindicated: hypersensitivity to a botulinum toxin product or ingredient.",
    ),
    "infection_at_site": (
        STOP,
        "Infection at a planned injection site",
        "Contraindicated: infection at a planned injection site; treat or move the site first.",
    ),
    "neuromuscular_junction_disorder": (
        CONCERN,
        "Myasthenia gravis, Lambert-Eaton syndrome or ALS/motor neuron disease",
        "Neuromuscular junction disorder: higher risk of "
        "serious effects, including severe dysphagia and breathing problems.",
    ),
    "swallowing_difficulty": (
        CONCERN,
        "Existing trouble swallowing",
        "Pre-existing swallowing difficulty: higher risk of dysphagia after injection.",
    ),
    "breathing_difficulty": (
        CONCERN,
        "Existing trouble breathing",
        "Pre-existing breathing difficulty: higher risk of respiratory compromise.",
    ),
    "neuromuscular_blocking_drugs": (
        CONCERN,
        "Aminoglycosides or other drugs affecting neuromuscular transmission",
        "Drugs interfering with neuromuscular transmission "
        "(e.g. aminoglycosides) can potentiate the toxin effect.",
    ),
    "muscle_relaxants": (CONCERN, "Muscle relaxants", "Muscle relaxants may add to weakness."),
    "anticholinergics": (
        CONCERN,
        "Anticholinergic medicines",
        "Anticholinergics may increase systemic anticholinergic effects.",
    ),
    "other_toxin_recent": (
        CONCERN,
        "Another botulinum toxin product in the past months",
        "Another toxin product recently: effects may add; units are not comparable.",
    ),
    "anticoagulant_or_antiplatelet": (
        CONCERN,
        "Anticoagulant or antiplatelet medicine",
        "Anticoagulant/antiplatelet: more bruising or bleeding at injection "
        "sites. Whether to pause it is the prescriber's decision; do not "
        "advise the patient to stop it.",
    ),
    "pregnant": (CONCERN, "Pregnant", "Pregnancy: insufficient data on safety."),
    "breastfeeding": (CONCERN, "Breastfeeding", "Breastfeeding: insufficient data on safety."),
    "compromised_respiratory_function": (
        CONCERN,
        "Reduced lung function",
        "Compromised respiratory function: higher risk of breathing problems.",
    ),
}
QUESTIONS: dict[str, str] = {k: v[1] for k, v in _RULES.items()}


def screen(answers: ScreeningInput) -> list[ScreeningItem]:
    """One item per checklist question, in checklist order."""
    if not isinstance(answers, ScreeningInput):
        raise ValueError(f"answers: {answers!r} is not a ScreeningInput")
    items = []
    for key, (status, question, reason) in _RULES.items():
        if getattr(answers, key):
            items.append(ScreeningItem(key, status, reason, status == CONCERN))
        else:
            items.append(ScreeningItem(key, PASS, f"No: {question.lower()}.", False))
    return items


def blocking(items: list[ScreeningItem]) -> bool:
    """True when any item is a contraindication (``stop``)."""
    return any(i.status == STOP for i in items)

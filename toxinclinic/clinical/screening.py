"""Pre-treatment screening (clinical reference §5): contraindications and warnings.

Contraindications (hypersensitivity, infection at a planned site) are ``stop``; warnings are
``concern`` and need the prescriber's acknowledgement. Anticoagulants and antiplatelets raise a concern
about bruising and bleeding only: whether to pause them is the prescriber's decision and this engine never
advises a patient to stop them.

No question has a default answer: ``None`` is "not answered" and :func:`unanswered` lists what is still
to ask. A question that cannot apply to the patient (pregnancy for a man) is not asked: see
:func:`not_applicable`. Every item carries the sentence a clinician would write in the note ("Not
pregnant", "No infection at the injection sites"), so the screen, the note and its PDF say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from ._common import check_int

PASS = "pass"  # noqa: S105 -- a screening status, not a secret
CONCERN = "concern"
STOP = "stop"
NOT_APPLICABLE = "not_applicable"
UNANSWERED = "unanswered"

#: Questions asked only where they can apply (sex recorded female, age in the policy's range).
PREGNANCY_KEYS: tuple[str, ...] = ("pregnant", "breastfeeding")


@dataclass(frozen=True)
class ScreeningPolicy:
    """Who is asked about pregnancy and breastfeeding.

    Default 12–55 years: pregnancy is possible from menarche (as early as 10–12) to the menopause
    (median 51, rarely after 55). WHO's "women of reproductive age" (15–49) is a reporting band, too
    narrow for a safety question: an unneeded question costs a few seconds, a missed pregnancy much more.
    """

    pregnancy_min_age: int = 12
    pregnancy_max_age: int = 55

    def __post_init__(self) -> None:
        check_int(self.pregnancy_min_age, "pregnancy_min_age", 0, 120, "years")
        check_int(self.pregnancy_max_age, "pregnancy_max_age", self.pregnancy_min_age, 120, "years")


@dataclass(frozen=True)
class ScreeningInput:
    """Answers to the pre-treatment checklist: True (yes), False (no) or None (not answered yet).
    ``other_toxin_recent`` means another toxin product in the past months (the dose checker also derives
    this from session history)."""

    hypersensitivity_to_toxin: bool | None = None
    infection_at_site: bool | None = None
    neuromuscular_junction_disorder: bool | None = None
    swallowing_difficulty: bool | None = None
    breathing_difficulty: bool | None = None
    neuromuscular_blocking_drugs: bool | None = None
    muscle_relaxants: bool | None = None
    anticholinergics: bool | None = None
    other_toxin_recent: bool | None = None
    anticoagulant_or_antiplatelet: bool | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    compromised_respiratory_function: bool | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"{f.name}: {value!r} is not True/False (or None: not answered)")


KEYS: tuple[str, ...] = tuple(f.name for f in fields(ScreeningInput))


@dataclass(frozen=True)
class ScreeningItem:
    """One checklist result. ``answer`` is ``yes``, ``no``, ``not_applicable`` or None (not answered);
    ``sentence`` is the result as a clinician writes it; ``reason`` explains the status."""

    key: str
    status: str  # pass | concern | stop | not_applicable | unanswered
    reason: str
    needs_acknowledgement: bool
    answer: str | None = None
    sentence: str = ""


@dataclass(frozen=True)
class _Rule:
    status: str  # when the answer is yes
    question: str
    reason: str  # when the answer is yes
    yes: str  # the note's sentence for yes
    no: str  # the note's sentence for no
    topic: str  # for "<topic> not asked: ..."


_RULES: dict[str, _Rule] = {
    "hypersensitivity_to_toxin": _Rule(
        STOP,
        "Allergy to any botulinum toxin product or ingredient",
        "Contraindicated: hypersensitivity to a botulinum toxin product or ingredient.",
        "Allergic to a botulinum toxin product or ingredient",
        "No allergy to botulinum toxin products or their ingredients",
        "Toxin allergy",
    ),
    "infection_at_site": _Rule(
        STOP,
        "Infection at a planned injection site",
        "Contraindicated: infection at a planned injection site; treat or move the site first.",
        "Infection at a planned injection site",
        "No infection at the injection sites",
        "Infection at the sites",
    ),
    "neuromuscular_junction_disorder": _Rule(
        CONCERN,
        "Myasthenia gravis, Lambert-Eaton syndrome or ALS/motor neuron disease",
        "Neuromuscular junction disorder: higher risk of "
        "serious effects, including severe dysphagia and breathing problems.",
        "Has a neuromuscular junction disorder (myasthenia gravis, Lambert-Eaton syndrome or ALS/motor "
        "neuron disease)",
        "No myasthenia gravis, Lambert-Eaton syndrome or motor neuron disease",
        "Neuromuscular junction disorder",
    ),
    "swallowing_difficulty": _Rule(
        CONCERN,
        "Existing trouble swallowing",
        "Pre-existing swallowing difficulty: higher risk of dysphagia after injection.",
        "Has trouble swallowing",
        "No trouble swallowing",
        "Swallowing",
    ),
    "breathing_difficulty": _Rule(
        CONCERN,
        "Existing trouble breathing",
        "Pre-existing breathing difficulty: higher risk of respiratory compromise.",
        "Has trouble breathing",
        "No trouble breathing",
        "Breathing",
    ),
    "neuromuscular_blocking_drugs": _Rule(
        CONCERN,
        "Aminoglycosides or other drugs affecting neuromuscular transmission",
        "Drugs interfering with neuromuscular transmission "
        "(e.g. aminoglycosides) can potentiate the toxin effect.",
        "Takes an aminoglycoside or another drug affecting neuromuscular transmission",
        "No aminoglycosides or other drugs affecting neuromuscular transmission",
        "Aminoglycosides",
    ),
    "muscle_relaxants": _Rule(
        CONCERN,
        "Muscle relaxants",
        "Muscle relaxants may add to weakness.",
        "Takes a muscle relaxant",
        "No muscle relaxants",
        "Muscle relaxants",
    ),
    "anticholinergics": _Rule(
        CONCERN,
        "Anticholinergic medicines",
        "Anticholinergics may increase systemic anticholinergic effects.",
        "Takes an anticholinergic medicine",
        "No anticholinergic medicines",
        "Anticholinergics",
    ),
    "other_toxin_recent": _Rule(
        CONCERN,
        "Another botulinum toxin product in the past months",
        "Another toxin product recently: effects may add; units are not comparable.",
        "Had another botulinum toxin product in the past months",
        "No other botulinum toxin product in the past months",
        "Other toxin products",
    ),
    "anticoagulant_or_antiplatelet": _Rule(
        CONCERN,
        "Anticoagulant or antiplatelet medicine",
        "Anticoagulant/antiplatelet: more bruising or bleeding at injection "
        "sites. Whether to pause it is the prescriber's decision; do not "
        "advise the patient to stop it.",
        "Takes an anticoagulant or antiplatelet medicine",
        "No anticoagulant or antiplatelet medicine",
        "Anticoagulants",
    ),
    "pregnant": _Rule(
        CONCERN,
        "Pregnant",
        "Pregnancy: insufficient data on safety.",
        "Pregnant",
        "Not pregnant",
        "Pregnancy",
    ),
    "breastfeeding": _Rule(
        CONCERN,
        "Breastfeeding",
        "Breastfeeding: insufficient data on safety.",
        "Breastfeeding",
        "Not breastfeeding",
        "Breastfeeding",
    ),
    "compromised_respiratory_function": _Rule(
        CONCERN,
        "Reduced lung function",
        "Compromised respiratory function: higher risk of breathing problems.",
        "Reduced lung function",
        "Lung function not reduced",
        "Lung function",
    ),
}
QUESTIONS: dict[str, str] = {k: r.question for k, r in _RULES.items()}

#: Chart medication class -> the checklist question an active medicine of that class answers "yes".
MEDICATION_CLASS_QUESTIONS: dict[str, str] = {
    "anticoagulant": "anticoagulant_or_antiplatelet",
    "antiplatelet": "anticoagulant_or_antiplatelet",
    "aminoglycoside": "neuromuscular_blocking_drugs",
    "nmj_interfering": "neuromuscular_blocking_drugs",
    "muscle_relaxant": "muscle_relaxants",
    "anticholinergic": "anticholinergics",
}
#: Chart history condition -> the checklist question an unresolved history item answers "yes".
HISTORY_CONDITION_QUESTIONS: dict[str, str] = {
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

SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")


def not_applicable(sex: str, age_years: int, policy: ScreeningPolicy | None = None) -> dict[str, str]:
    """The questions that cannot apply to this patient, each with the reason it is not asked.

    Pregnancy and breastfeeding are asked when the sex recorded is female and the age is within the
    policy's range. A sex recorded as ``other`` or ``unknown`` does not rule them out, so they are asked.
    """
    policy = policy or ScreeningPolicy()
    if sex not in SEXES:
        raise ValueError(f"sex: {sex!r} is not one of {', '.join(SEXES)}")
    check_int(age_years, "age_years", 0, 150, "years")
    if sex == "male":
        reason = "sex recorded as male"
    elif sex == "female" and not policy.pregnancy_min_age <= age_years <= policy.pregnancy_max_age:
        reason = (
            f"age {age_years}, outside the ages asked ({policy.pregnancy_min_age}–{policy.pregnancy_max_age})"
        )
    else:
        return {}
    return dict.fromkeys(PREGNANCY_KEYS, reason)


def _check_na(na: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(na or {})
    for key, reason in out.items():
        if key not in _RULES:
            raise ValueError(f"not_applicable: {key!r} is not a screening question")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"not_applicable {key}: give the reason the question does not apply")
    return out


def unanswered(answers: ScreeningInput, na: Mapping[str, str] | None = None) -> list[str]:
    """Keys of the questions still to answer (not answered and not ruled out as not applicable)."""
    skip = _check_na(na)
    return [k for k in KEYS if getattr(answers, k) is None and k not in skip]


def sentence(key: str, answer: bool) -> str:
    """The note's sentence for one answer: sentence('pregnant', False) -> 'Not pregnant'."""
    rule = _RULES[key]
    return rule.yes if answer else rule.no


def screen(answers: ScreeningInput, na: Mapping[str, str] | None = None) -> list[ScreeningItem]:
    """One item per checklist question, in checklist order. ``na`` maps a question that does not apply
    to the reason (from :func:`not_applicable`); such a question is ``not_applicable`` whatever the
    answer. An unanswered question is ``unanswered``: it never passes."""
    if not isinstance(answers, ScreeningInput):
        raise ValueError(f"answers: {answers!r} is not a ScreeningInput")
    skip = _check_na(na)
    items = []
    for key, rule in _RULES.items():
        value = getattr(answers, key)
        if key in skip:
            text = f"{rule.topic} not asked: {skip[key]}"
            items.append(ScreeningItem(key, NOT_APPLICABLE, text + ".", False, NOT_APPLICABLE, text))
        elif value is None:
            items.append(
                ScreeningItem(
                    key, UNANSWERED, "Not answered yet.", False, None, f"Not answered: {rule.question}"
                )
            )
        elif value:
            items.append(
                ScreeningItem(key, rule.status, rule.reason, rule.status == CONCERN, "yes", rule.yes)
            )
        else:
            items.append(ScreeningItem(key, PASS, rule.no + ".", False, "no", rule.no))
    return items


def blocking(items: list[ScreeningItem]) -> bool:
    """True when any item is a contraindication (``stop``)."""
    return any(i.status == STOP for i in items)


def complete(items: list[ScreeningItem]) -> bool:
    """True when no item is still unanswered."""
    return all(i.status != UNANSWERED for i in items)

"""Post-injection symptom triage (clinical reference §5, §10).

Rule for drooping eyelids: eyelid ptosis on its own is a common, routine side effect (about 4% in the
chronic-migraine trials) and gets ``call_clinic`` advice; ptosis together with any other distant-spread
symptom (double/blurred vision, trouble swallowing, breathing or speaking, hoarse or slurred speech,
generalised weakness, loss of bladder control) is treated as possible distant spread of toxin effect and is
urgent. Urgent symptoms are urgent whatever the time since injection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._common import check_choice, check_int

URGENT = "urgent"
ROUTINE = "routine"
EMERGENCY = "emergency"
CALL_CLINIC = "call_clinic"
ROUTINE_REVIEW = "routine_review"

#: symptom key -> plain-language label shown in the patient portal
SYMPTOMS: dict[str, str] = {
    "trouble_swallowing": "Trouble swallowing",
    "trouble_breathing": "Trouble breathing",
    "trouble_speaking": "Trouble speaking",
    "hoarse_voice": "Hoarse voice",
    "slurred_speech": "Slurred speech",
    "double_vision": "Double vision",
    "blurred_vision": "Blurred vision",
    "generalised_weakness": "Weakness all over the body",
    "loss_of_bladder_control": "Loss of bladder control",
    "hives": "Itchy raised rash (hives)",
    "swelling_face_lips_tongue": "Swelling of the face, lips, tongue or throat",
    "wheeze": "Wheezing",
    "severe_allergic_reaction": "Severe allergic reaction (faint, dizzy, throat tight)",
    "drooping_eyelid": "Drooping eyelid",
    "neck_weakness": "Weak neck (hard to hold the head up)",
    "flu_like_symptoms": "Flu-like symptoms",
    "injection_site_pain": "Pain where the injections were given",
    "bruising": "Bruising",
    "neck_pain": "Neck pain",
    "headache": "Headache",
    "stiffness": "Stiff muscles",
    "facial_weakness": "Weakness of the face (uneven smile or eyebrows)",
    "muscle_weakness_near_site": "Weak muscles near the injection sites",
}
DISTANT_SPREAD: frozenset[str] = frozenset(
    {
        "trouble_swallowing",
        "trouble_breathing",
        "trouble_speaking",
        "hoarse_voice",
        "slurred_speech",
        "double_vision",
        "blurred_vision",
        "generalised_weakness",
        "loss_of_bladder_control",
    }
)
ALLERGIC: frozenset[str] = frozenset(
    {"hives", "swelling_face_lips_tongue", "wheeze", "severe_allergic_reaction"}
)
URGENT_SYMPTOMS: frozenset[str] = DISTANT_SPREAD | ALLERGIC
#: routine but worth a call to the clinic (aftercare §10)
CALL_CLINIC_SYMPTOMS: frozenset[str] = frozenset({"drooping_eyelid", "neck_weakness", "flu_like_symptoms"})
ROUTINE_SYMPTOMS: frozenset[str] = frozenset(SYMPTOMS) - URGENT_SYMPTOMS


@dataclass(frozen=True)
class Triage:
    level: str  # urgent | routine
    advice: str  # emergency | call_clinic | routine_review
    reasons: list[str]
    symptoms: tuple[str, ...]
    days_since_injection: int


def assess(symptoms: Iterable[str], days_since_injection: int) -> Triage:
    """Triage reported symptoms. Unknown symptom keys raise ValueError."""
    if isinstance(symptoms, str) or not isinstance(symptoms, Iterable):
        raise ValueError("symptoms: expected a list of symptom keys")
    given = list(symptoms)
    for i, s in enumerate(given, 1):
        check_choice(s, f"symptoms item {i}", tuple(SYMPTOMS))
    syms = tuple(dict.fromkeys(given))
    days = check_int(days_since_injection, "days_since_injection", 0)
    present = set(syms)
    reasons: list[str] = []
    spread = sorted(present & DISTANT_SPREAD)
    allergic = sorted(present & ALLERGIC)
    if spread:
        reasons.append(
            "possible distant spread of toxin effect: " + ", ".join(SYMPTOMS[s].lower() for s in spread)
        )
        if "drooping_eyelid" in present:
            reasons.append("drooping eyelid together with other distant-spread symptoms")
        if present & {"trouble_swallowing", "trouble_breathing"}:
            reasons.append("swallowing and breathing problems can be life-threatening")
    if allergic:
        reasons.append("possible allergic reaction: " + ", ".join(SYMPTOMS[s].lower() for s in allergic))
    if spread or allergic:
        reasons.append("seek emergency help at once")
        if days > 84:
            reasons.append(
                f"{days} days since injection: toxin effect is less likely, but these symptoms still "
                "need emergency care"
            )
        return Triage(URGENT, EMERGENCY, reasons, syms, days)
    calls = sorted(present & CALL_CLINIC_SYMPTOMS)
    if calls:
        reasons.append("known side effect; call the clinic: " + ", ".join(SYMPTOMS[s].lower() for s in calls))
        advice = CALL_CLINIC
    else:
        advice = ROUTINE_REVIEW
        reasons.append(
            "common, usually mild side effects: " + ", ".join(SYMPTOMS[s].lower() for s in syms)
            if syms
            else "no symptoms reported"
        )
    return Triage(ROUTINE, advice, reasons, syms, days)

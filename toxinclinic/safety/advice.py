"""What the patient is told for each of the engine's triage advice keys (presentation only)."""

from __future__ import annotations

from toxinclinic.clinical import triage

ADVICE_TEXT: dict[str, str] = {
    triage.EMERGENCY: (
        "Call {emergency} now, or go straight to the nearest emergency department. Tell them you "
        "had botulinum toxin injections on {injected_on}. Do not drive yourself. Then call the clinic."
    ),
    triage.CALL_CLINIC: (
        "Please call the clinic on {phone} today so a nurse can talk it over with you. If it gets worse, "
        "or you have trouble swallowing, breathing or speaking, call {emergency}."
    ),
    triage.ROUTINE_REVIEW: (
        "These are common after injections and usually settle by themselves within days. Your report is on "
        "the clinic's triage list for the team to review. Call the clinic on {phone} if it worries you."
    ),
}


def advice_text(key: str, *, emergency: str, phone: str, injected_on: str) -> str:
    return ADVICE_TEXT.get(key, ADVICE_TEXT[triage.ROUTINE_REVIEW]).format(
        emergency=emergency, phone=phone, injected_on=injected_on
    )

"""Aftercare instructions given to the patient (clinical reference §10), as data for the portal and print."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AftercareItem:
    key: str
    text: str
    urgent: bool = False


AFTERCARE: tuple[AftercareItem, ...] = (
    AftercareItem("no_rubbing", "Do not rub or massage the injection sites for the rest of the day."),
    AftercareItem("expected_effects", "Mild soreness, bruising or headache can occur."),
    AftercareItem("onset", "The effect starts within days and builds over about 2 weeks."),
    AftercareItem(
        "call_clinic",
        "Call the clinic if you have a droopy eyelid, neck weakness or flu-like symptoms that worry you.",
    ),
    AftercareItem(
        "emergency",
        "Seek emergency help at once if you have trouble swallowing, breathing or "
        "speaking, changes in your vision, weakness all over your body, or signs of an allergic "
        "reaction (rash, swelling, wheezing).",
        urgent=True,
    ),
)


def text() -> str:
    """All instructions as plain text, one per line."""
    return "\n".join(i.text for i in AFTERCARE)

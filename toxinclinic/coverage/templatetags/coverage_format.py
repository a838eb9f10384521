"""Packet words: ISO dates from the packet's JSON written the clinic's way, and verdict statuses in words."""

from __future__ import annotations

import datetime as dt

from django import template

from toxinclinic.accounts.locale import format_date

register = template.Library()

STATUS_WORDS = {
    "met": "met",
    "not_met": "not met",
    "partial": "partial response",
    "too_early": "too early to judge",
    "insufficient_data": "not enough data to decide",
}
DECISION_WORDS = {"continue": "continue treatment", "reassess": "reassess", "stop": "stop treatment"}


@register.filter
def iso_date(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return format_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


@register.filter
def verdict_words(value: str | None) -> str:
    return STATUS_WORDS.get(value or "", DECISION_WORDS.get(value or "", (value or "").replace("_", " ")))


@register.filter
def iso_month(value: str | None) -> str:
    """'2026-06-01' -> 'June 2026' (a month and year read the same in every locale we serve)."""
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%B %Y")
    except ValueError:
        return str(value or "")

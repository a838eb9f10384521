"""Display helpers for visit templates: units without a trailing .0, tag classes for statuses."""

from __future__ import annotations

from typing import Any

from django import template

from toxinclinic.clinical._common import fmt_units

register = template.Library()


@register.filter
def units(value: Any) -> str:
    """155.0 -> '155', 2.5 -> '2.5', 0.0 -> '–' (nothing charted on that side)."""
    if value in (None, ""):
        return "—"
    v = float(value)
    return "–" if v == 0 else fmt_units(round(v, 3))


@register.filter
def status_class(status: str) -> str:
    return {
        "stop": "stop",
        "concern": "warn",
        "pass": "ok",
        "hard_stop": "stop",
        "warning": "warn",
        "unanswered": "warn",
    }.get(status, "")


STATUS_LABELS = {
    "stop": "Stop",
    "concern": "Concern",
    "pass": "Clear",
    "not_applicable": "Not asked",
    "unanswered": "Not answered",
    "hard_stop": "Hard stop",
    "warning": "Warning",
    "info": "Note",
}


@register.filter
def status_label(status: str) -> str:
    """A screening or dose status in words ('concern' -> 'Concern', 'pass' -> 'Clear')."""
    return STATUS_LABELS.get(status, "")


@register.filter
def rule_label(rule: str) -> str:
    """A dose rule in words ('session_max' -> 'Session maximum'); never the code itself."""
    from toxinclinic.clinical.dosing import RULE_LABELS

    return RULE_LABELS.get(rule, "Dose rule")


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def num(value: Any) -> str:
    """A quantity that may be zero: 45.0 -> '45', 0 -> '0'."""
    if value in (None, ""):
        return "—"
    return fmt_units(round(float(value), 3))


@register.filter
def days_span(days: Any) -> str:
    """An interval in days as people say it: 84 -> '12 weeks', 90 -> '90 days'."""
    d = int(days)
    return f"{d // 7} weeks" if d % 7 == 0 and d >= 14 else f"{d} days"


@register.filter
def screening_sentence(text: str) -> str:
    """A screening sentence ends with one full stop (the toxin-history sentences already have theirs)."""
    text = str(text or "").strip()
    return text if text.endswith(".") else f"{text}."

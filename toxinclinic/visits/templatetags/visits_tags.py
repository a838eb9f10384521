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
    return {"stop": "stop", "concern": "warn", "pass": "ok", "hard_stop": "stop", "warning": "warn"}.get(
        status, ""
    )


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def num(value: Any) -> str:
    """A quantity that may be zero: 45.0 -> '45', 0 -> '0'."""
    if value in (None, ""):
        return "—"
    return fmt_units(round(float(value), 3))

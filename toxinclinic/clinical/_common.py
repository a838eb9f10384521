"""Shared validation helpers and the ``Verdict`` shape used by diary and eligibility rules.

Kept private: the public modules re-export what callers need.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from numbers import Real
from typing import Any


def check_number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    allow_zero: bool = True,
) -> float:
    """Return ``value`` as float after refusing bools, non-numbers, NaN/inf and out-of-range values."""
    # bool is a subclass of int; a checkbox value must never be taken as 1 unit.
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name}: {value!r} is not a number")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name}: {value!r} is not a finite number")
    if minimum is not None and v < minimum:
        raise ValueError(f"{name}: {value!r} is below the minimum of {minimum:g}")
    if not allow_zero and v == 0:
        raise ValueError(f"{name}: must be greater than 0")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name}: {value!r} is above the maximum of {maximum:g}")
    return v


def check_int(value: object, name: str, minimum: int, maximum: int | None = None, unit: str = "") -> int:
    """Return ``value`` if it is a genuine int (not bool) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: {value!r} is not a whole number")
    suffix = f" {unit}" if unit else ""
    if value < minimum:
        raise ValueError(f"{name}: {value} is below {minimum}{suffix}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: {value} is above {maximum}{suffix}")
    return value


def check_units(value: object, name: str) -> float:
    """Toxin units for one site or vial: finite, strictly positive, never a bool."""
    return check_number(value, name, minimum=0, allow_zero=False)


def check_choice(value: object, name: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ValueError(f"{name}: {value!r} is not one of {allowed}")
    return value


def check_date(value: object, name: str) -> date:
    # datetime is a date subclass; a timestamp would silently shift calendar-day arithmetic.
    from datetime import datetime

    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name}: {value!r} is not a date")
    return value


def fmt_units(u: float) -> str:
    """Render units without a trailing .0 (155 U, 2.5 U)."""
    return f"{u:g}"


@dataclass(frozen=True)
class PeriodResult:
    """One evaluated period (a calendar month or a 28-day block) of a diary-based verdict.

    ``summary`` is a :class:`toxinclinic.clinical.diary.PeriodSummary` (typed loosely to avoid a cycle).
    """

    label: str
    start: date
    end: date
    summary: Any
    met: bool
    status: str  # met | not_met | insufficient_data
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """Outcome of a clinical rule.

    ``met`` is True only when the rule is positively satisfied; ``status`` distinguishes ``not_met`` from
    ``insufficient_data``. ``decision`` is used by continuation (continue | reassess | stop) and is None
    elsewhere. ``numbers`` holds the figures quoted in ``reasons`` for display and audit.
    """

    met: bool
    status: str
    reasons: list[str]
    periods: tuple[PeriodResult, ...] = ()
    decision: str | None = None
    numbers: Mapping[str, Any] = field(default_factory=dict)

    __hash__ = None  # type: ignore[assignment]  # numbers is a dict; verdicts are values, not keys


def fmt_date(d: date) -> str:
    """A date as people read it in a message (3 Mar 2026), never ISO: the default ``format_date`` of the
    engine's message builders; the app passes its clinic's format instead."""
    return f"{d.day} {d:%b %Y}"


def fmt_quantity(u: float) -> str:
    """Units or days with thousands grouped and no trailing .0 (1,149 U; 2.5 U; 10,000 U)."""
    if float(u).is_integer():
        return f"{int(u):,}"
    return f"{u:,.3f}".rstrip("0").rstrip(".")

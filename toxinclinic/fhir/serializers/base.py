"""Small pieces every serializer shares: instants, references, meta, codings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from toxinclinic.fhir import codes


def instant(value: dt.datetime | None) -> str | None:
    """An aware datetime as FHIR instant (UTC, seconds)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def meta(updated: dt.datetime | None) -> dict[str, Any]:
    return {"lastUpdated": instant(updated)} if updated else {}


def ref(resource_type: str, rid: Any, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{resource_type}/{rid}"}
    if display:
        out["display"] = display
    return out


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def local(code: str, display: str) -> dict[str, Any]:
    return coding(codes.LOCAL, code, display)


def number(value: Decimal | float | int) -> float | int:
    """A JSON number; whole values as int so ``10 U`` is written 10, not 10.0."""
    f = float(value)
    return int(f) if f.is_integer() else f


def prune(d: dict[str, Any]) -> dict[str, Any]:
    """Drop None and empty values (FHIR forbids empty elements)."""
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}

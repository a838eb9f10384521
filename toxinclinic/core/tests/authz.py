"""Helpers for the authorization matrix: a route, and who gets which status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STAFF_A = ("nurse", "clinician", "injector", "coordinator", "admin")
ALL_ROLES = ("anon", "patient", "patient2", "other_patient", *STAFF_A, "other_clinician")


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # may contain {patient}, {patient2}, {other_patient}, {allergy} and app-specific keys
    expected: dict[str, int]
    body: dict[str, Any] | None = field(default=None)


def expect(
    default: int, staff: int | None = None, staff_a: int | None = None, **roles: int
) -> dict[str, int]:
    """Expected status per role. ``staff`` sets every staff role in either clinic, ``staff_a`` clinic A's."""
    out = dict.fromkeys(ALL_ROLES, default)
    if staff is not None:
        out.update(dict.fromkeys((*STAFF_A, "other_clinician"), staff))
    if staff_a is not None:
        out.update(dict.fromkeys(STAFF_A, staff_a))
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    out.update(roles)
    return out

"""Helpers for the authorization matrix: a route, and who gets which status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STAFF_A = ("nurse", "clinician", "injector", "coordinator", "admin")
#: Clinic B's staff, one per role (``other_injector`` is a non-prescribing clinician, as ``injector``).
OTHER_STAFF = ("other_nurse", "other_clinician", "other_injector", "other_coordinator", "other_admin")
ALL_ROLES = ("anon", "patient", "patient2", "other_patient", *STAFF_A, *OTHER_STAFF)
#: Whoever must learn nothing of clinic A's patients: anonymous, another patient (same clinic or not),
#: another clinic's staff of every role.
OUTSIDERS = ("anon", "patient2", "other_patient", *OTHER_STAFF)


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # may contain {patient}, {patient2}, {other_patient}, {allergy} and app-specific keys
    expected: dict[str, int]
    body: dict[str, Any] | None = field(default=None)


def expect(
    default: int,
    staff: int | None = None,
    staff_a: int | None = None,
    *,
    own_clinic: bool = False,
    **roles: int,
) -> dict[str, int]:
    """Expected status per role. ``staff`` sets every staff role in either clinic, ``staff_a`` clinic A's.

    Clinic B's staff not named get what ``other_clinician`` gets (an id of clinic A's is as unknown to
    all of them); with ``own_clinic`` (a screen about the reader's own clinic: a list, a report) each
    gets what clinic A's member of the same role gets.
    """
    out = dict.fromkeys(ALL_ROLES, default)
    if staff is not None:
        out.update(dict.fromkeys((*STAFF_A, *OTHER_STAFF), staff))
    if staff_a is not None:
        out.update(dict.fromkeys(STAFF_A, staff_a))
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    out.update(roles)
    for other in OTHER_STAFF:
        if other in roles or (other == "other_clinician" and not own_clinic):
            continue
        out[other] = out[other.removeprefix("other_")] if own_clinic else out["other_clinician"]
    return out

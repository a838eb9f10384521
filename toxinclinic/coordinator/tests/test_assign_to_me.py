"""'Assign to me' is for coordinators: an admin (who may assign others) is refused with a 403, not a 500."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.coordinator.models import Assignment

pytestmark = pytest.mark.django_db


def _url(world: Any) -> str:
    return f"/coordinator/patients/{world.patient.public_id}/assign-to-me/"


def test_coordinator_takes_the_patient(world: Any, client_as: Any) -> None:
    r = client_as("coordinator").post(_url(world))
    assert r.status_code == 302
    assert Assignment.objects.get(patient=world.patient).coordinator == world.user("coordinator")


@pytest.mark.parametrize("role", ["admin", "nurse", "clinician"])
def test_others_are_refused_and_nothing_is_stored(world: Any, client_as: Any, role: str) -> None:
    assert client_as(role).post(_url(world)).status_code == 403
    assert not Assignment.objects.filter(patient=world.patient).exists()


def test_another_clinics_staff_get_404(world: Any, client_as: Any) -> None:
    assert client_as("other_clinician").post(_url(world)).status_code == 404

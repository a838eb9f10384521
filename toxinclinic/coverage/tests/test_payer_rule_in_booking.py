"""Scheduling asks coverage's payer rule (through the ``payer.py`` plug-in) before booking an injection
inside the minimum interval: an approved authorization refuses it; without one the clinic setting decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.core.errors import FieldError
from toxinclinic.coverage import services
from toxinclinic.coverage.models import AuthStatus
from toxinclinic.scheduling import booking
from toxinclinic.scheduling.models import Appointment, AppointmentKind
from toxinclinic.scheduling.tests.helpers import at, next_weekday, open_clinic
from toxinclinic.testing import sign_visit, today

pytestmark = pytest.mark.django_db


def _early_injection(world: Any) -> dict[str, Any]:
    open_clinic(world)
    day = next_weekday(10)
    sign_visit(world.patient, day - dt.timedelta(days=60))
    return {
        "actor": world.user("coordinator"),
        "clinician": world.user("clinician"),
        "kind": AppointmentKind.INJECTION,
        "starts_at": at(world, day, 9),
        "accept_early": True,
    }


def test_without_an_authorization_the_clinic_setting_lets_an_accepted_early_booking_through(
    world: Any,
) -> None:
    args = _early_injection(world)
    assert booking.book(world.patient, **args).early_accepted


def test_an_approved_authorization_refuses_an_early_injection_and_stores_nothing(world: Any) -> None:
    args = _early_injection(world)
    services.record_authorization(
        world.patient,
        actor=None,
        payer="Acme Health",
        status=AuthStatus.APPROVED,
        units_per_session=155,
        visits_approved=2,
        starts_on=today() - dt.timedelta(days=90),
        ends_on=today() + dt.timedelta(days=180),
    )
    with pytest.raises(FieldError) as exc:
        booking.book(world.patient, **args)
    assert exc.value.errors["starts_at"][0].endswith("The patient's payer does not cover an earlier one.")
    assert not Appointment.objects.exists()


def test_a_payer_rule_that_allows_early_injections_is_followed(world: Any, settings: Any) -> None:
    args = _early_injection(world)
    settings.TOXINCLINIC_PAYER_RULES = {"Acme Health": {"forbids_early": False}}
    services.record_authorization(
        world.patient,
        actor=None,
        payer="Acme Health",
        status=AuthStatus.APPROVED,
        units_per_session=155,
        visits_approved=2,
        starts_on=today() - dt.timedelta(days=90),
        ends_on=today() + dt.timedelta(days=180),
    )
    assert booking.book(world.patient, **args).early_accepted

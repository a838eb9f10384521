"""A vial's state is written by inventory's services only: opened for a visit (with its beyond-use time),
returned to stock, used when the note is signed; a vial of another clinic is never found."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.errors import FieldError
from toxinclinic.inventory import services as svc
from toxinclinic.inventory.models import Vial, VialStatus
from toxinclinic.visits.tests.helpers import vials

pytestmark = pytest.mark.django_db


def test_clinic_vial_finds_only_this_clinics_vial(world: Any) -> None:
    ours, theirs = vials(world.clinic, 1)[0], vials(world.other_clinic, 1)[0]
    assert svc.clinic_vial(world.clinic.pk, ours.public_id) == ours
    assert svc.clinic_vial(world.clinic.pk, str(ours.public_id)).lot == ours.lot
    assert svc.clinic_vial(world.clinic.pk, theirs.public_id) is None
    assert svc.clinic_vial(world.clinic.pk, uuid.uuid4()) is None
    assert svc.clinic_vial(world.clinic.pk, "not-a-uuid") is None


def test_open_vial_sets_dilution_and_beyond_use_and_audits(world: Any) -> None:
    vial = vials(world.clinic, 1)[0]
    at = timezone.now() - dt.timedelta(hours=1)
    with transaction.atomic():
        opened = svc.open_vial(
            vial, actor=world.users["nurse"], diluent_ml=Decimal("2.00"), reconstituted_at=at
        )
    vial.refresh_from_db()
    assert vial.status == VialStatus.OPENED and opened.pk == vial.pk
    assert vial.diluent_ml == Decimal("2.00") and vial.reconstituted_at == at
    # Botox: 24 h beyond use (the engine's product table).
    assert vial.beyond_use_at == at + dt.timedelta(hours=24)
    assert vial.version == 2
    assert AuditEvent.objects.filter(action="vial.opened", object_id=str(vial.public_id)).count() == 1


def test_open_vial_refuses_a_vial_already_taken(world: Any) -> None:
    vial = vials(world.clinic, 1)[0]
    Vial.objects.filter(pk=vial.pk).update(status=VialStatus.OPENED)
    with pytest.raises(FieldError) as exc, transaction.atomic():
        svc.open_vial(
            vial, actor=world.users["nurse"], diluent_ml=Decimal("2"), reconstituted_at=timezone.now()
        )
    assert "just taken for another visit" in exc.value.errors["vial"][0]
    assert not AuditEvent.objects.filter(action="vial.opened").exists()


def test_return_vial_puts_it_back_in_stock(world: Any) -> None:
    vial = vials(world.clinic, 1)[0]
    with transaction.atomic():
        svc.open_vial(
            vial, actor=world.users["nurse"], diluent_ml=Decimal("2"), reconstituted_at=timezone.now()
        )
        svc.return_vial(vial.pk, actor=world.users["nurse"])
    vial.refresh_from_db()
    assert vial.status == VialStatus.IN_STOCK
    assert vial.diluent_ml is None and vial.reconstituted_at is None and vial.beyond_use_at is None
    assert vial.version == 3
    assert AuditEvent.objects.filter(action="vial.returned", object_id=str(vial.public_id)).count() == 1


def test_mark_used_changes_only_the_vials_named(world: Any) -> None:
    a, b, c = vials(world.clinic, 3)
    assert svc.mark_used(v.pk for v in (a, b)) == 2
    assert list(Vial.objects.filter(status=VialStatus.USED).order_by("pk")) == [a, b]
    c.refresh_from_db()
    assert c.status == VialStatus.IN_STOCK
    assert svc.mark_used([]) == 0

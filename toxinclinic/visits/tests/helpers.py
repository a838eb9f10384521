"""Shared builders for the visits tests: stock in clinic A, a visit prepared up to signing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from toxinclinic.accounts.models import Location
from toxinclinic.inventory.models import Lot, Vial
from toxinclinic.visits import services as svc
from toxinclinic.visits.models import Visit


def location(clinic: Any, name: str = "Main") -> Location:
    return Location.objects.get_or_create(clinic=clinic, name=name)[0]


def vials(
    clinic: Any,
    n: int = 2,
    *,
    product: str = "botox",
    size: int = 100,
    lot_number: str = "C1234A",
    expiry: dt.date | None = None,
) -> list[Vial]:
    lot, _ = Lot.objects.get_or_create(
        clinic=clinic,
        product=product,
        lot_number=lot_number,
        defaults={
            "ndc": "0023-1145-01",
            "expiry_date": expiry or timezone.localdate() + dt.timedelta(days=200),
        },
    )
    loc = location(clinic)
    return [Vial.objects.create(clinic=clinic, lot=lot, location=loc, size_units=size) for _ in range(n)]


def consent_data(**kw: Any) -> dict[str, Any]:
    return {
        "discussed_benefits": True,
        "discussed_common_effects": True,
        "discussed_serious_effects": True,
        "discussed_alternatives": True,
        "consented_by": "patient",
        "consenter_name": "Ada Lovelace",
        "consented_at": timezone.now() - dt.timedelta(minutes=10),
        **kw,
    }


def all_answered(visit: Visit, **answers: bool) -> dict[str, bool]:
    """Every question that applies to the visit's patient answered: "no" unless ``answers`` says
    otherwise (the nurse asked them all; nothing is left to a default)."""
    from toxinclinic.patients.screening import not_applicable

    na = not_applicable(visit.patient, visit.visit_date)
    return {k: answers.get(k, False) for k in svc.SCREENING_KEYS if k not in na}


def draft_visit(world: Any, *, patient: Any = None, **kw: Any) -> Visit:
    """A new draft PREEMPT-indication Botox visit for today, started by the nurse (``kw`` overrides)."""
    fields: dict[str, Any] = {
        "visit_date": timezone.localdate(),
        "indication": "chronic_migraine",
        "product": "botox",
        **kw,
    }
    return svc.create_visit(patient or world.patient, actor=world.user("nurse"), **fields)


def prepared_visit(
    world: Any,
    *,
    protocol: str = "preempt",
    indication: str = "chronic_migraine",
    product: str = "botox",
    patient: Any = None,
    visit_date: dt.date | None = None,
    vial_size: int = 100,
    n_vials: int = 2,
    administered: list[Decimal] | None = None,
    answers: dict[str, bool] | None = None,
    modify: Any = None,
) -> Visit:
    """A draft visit screened, consented, charted from ``protocol`` and with vials recorded so the
    vials' administered units match the sites' total."""
    nurse, clinician = world.user("nurse"), world.user("clinician")
    patient = patient or world.patient
    v = svc.create_visit(
        patient,
        actor=nurse,
        visit_date=visit_date or timezone.localdate(),
        indication=indication,
        product=product,
        location=location(world.clinic),
    )
    v = svc.save_screening(v, v.version, actor=nurse, answers=all_answered(v, **(answers or {})))
    v = svc.save_consent(v, v.version, actor=nurse, **consent_data())
    v = svc.apply_protocol(v, v.version, actor=clinician, key=protocol)
    if modify is not None:
        drafts = [
            svc.DraftSite(s.site_id, s.muscle, s.side, s.units, s.follow_the_pain) for s in v.sites.all()
        ]
        v = svc.save_injections(v, v.version, actor=clinician, sites=modify(drafts))
    total = sum((s.units for s in v.sites.all()), Decimal(0))
    stock = vials(world.clinic, n_vials, product=product, size=vial_size)
    if administered is None:
        administered = []
        left = total
        for _ in stock:
            take = min(left, Decimal(vial_size))
            administered.append(take)
            left -= take
    for vial, given in zip(stock, administered, strict=False):
        v = svc.add_vial_use(
            v,
            v.version,
            actor=nurse,
            vial_id=vial.public_id,
            diluent_ml=Decimal("2"),
            reconstituted_at=timezone.now() - dt.timedelta(minutes=30),
            units_administered=given,
            units_discarded=Decimal(vial_size) - given,
        )
    return v


def quick_ready_visit(world: Any, patient: Any = None) -> Visit:
    """Like ``prepared_visit`` (PREEMPT, 2 × 100 U vials, version 6) but written straight to the database:
    the authorization matrix builds one for every request it makes, so it must be cheap."""
    from toxinclinic.clinical import protocols
    from toxinclinic.inventory.models import VialStatus
    from toxinclinic.visits.models import Consent, InjectionSite, VialUse

    nurse = world.user("nurse")
    now = timezone.now()
    v = Visit.objects.create(
        clinic=world.clinic,
        patient=patient or world.patient,
        visit_date=timezone.localdate(),
        indication="chronic_migraine",
        product="botox",
        protocol="preempt",
        created_by=nurse,
        nurse=nurse,
        screening={"answers": dict.fromkeys(svc.SCREENING_KEYS, False), "at": now.isoformat()},
        screened_by=nurse,
        screened_at=now,
        version=6,
    )
    Consent.objects.create(visit=v, recorded_by=nurse, **consent_data())
    InjectionSite.objects.bulk_create(
        [
            InjectionSite(
                visit=v,
                site_id=s.site_id,
                muscle=s.muscle,
                side=s.side,
                units=Decimal(str(s.units)),
                view=s.position[0],
                x=s.position[1],
                y=s.position[2],
                position=i,
            )
            for i, s in enumerate(protocols.preempt().sites)
        ]
    )
    for stock, given in zip(vials(world.clinic, 2), (Decimal(100), Decimal(55)), strict=True):
        Vial.objects.filter(pk=stock.pk).update(
            status=VialStatus.OPENED, reconstituted_at=now, diluent_ml=Decimal(2), beyond_use_at=now
        )
        VialUse.objects.create(
            visit=v, vial=stock, units_administered=given, units_discarded=100 - given, recorded_by=nurse
        )
    return v

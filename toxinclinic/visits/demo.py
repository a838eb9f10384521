"""Demo visit history: signed sessions every ~12 weeks (PREEMPT for chronic migraine, the patient's
cervical-dystonia template for dystonia), mostly on time, a few late, one early re-treatment signed with a
prescriber's override; a few toxin injections given elsewhere; and a few drafts for today.

Each historic session is written as a draft and then signed through ``services.sign_visit`` so the note,
billing lines, recall and the ``visit_signed`` signal are exactly what a real signing produces. Only the
first ``HISTORY_PATIENTS`` patients get a history (a demo of tens of thousands of patients would otherwise
sign hundreds of thousands of notes); the rest are new patients with no toxin history yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from toxinclinic.clinical import dosing, protocols
from toxinclinic.inventory.demo import RECALL_DAYS, RECALL_LOT, history_lot_number
from toxinclinic.inventory.models import Lot, Vial, VialStatus
from toxinclinic.patients.models import PatientIndication
from toxinclinic.treatment.services import next_window
from toxinclinic.visits import services as svc
from toxinclinic.visits.models import Consent, InjectionSite, OutsideInjection, VialUse, Visit

DEMO_ORDER = 20
HISTORY_PATIENTS = 400
CD_TEMPLATES = [k for k in protocols.PROTOCOL_KEYS if k.startswith("cd_")]
OVERRIDE_REASON = "Severe relapse after a late-wearing-off cycle; early re-treatment discussed and agreed."
# Demo patients come back on the clinic's minimum interval; cervical-dystonia doses reach 300 U, so two of
# them one interval apart could pass the cumulative limit: those patients wait out its whole window.
MIN_GAP_DAYS = svc.CLINIC_DOSE_POLICY.min_interval_days
CD_MIN_GAP_DAYS = max(MIN_GAP_DAYS, svc.CLINIC_DOSE_POLICY.cumulative_window_days + 1)
# Every demo vial is reconstituted at the PREEMPT concentration (5 U per 0.1 mL).
DEMO_UNITS_PER_0_1_ML = protocols.PREEMPT_UNITS_PER_0_1_ML


def _session_dates(
    rng: Any, today: dt.date, earliest: dt.date, *, n: int, last_gap: int, min_gap: int
) -> list[dt.date]:
    dates = [today - dt.timedelta(days=last_gap)]
    while len(dates) < n:
        gap = rng.randint(min_gap, min_gap + 8) if rng.random() < 0.85 else rng.randint(100, 150)
        d = dates[-1] - dt.timedelta(days=gap)
        if d < earliest:
            break
        dates.append(d)
    return sorted(dates)


def _sites(rng: Any, indication: str, template: str) -> tuple[str, list[protocols.Site]]:
    if indication == "chronic_migraine":
        ftp = rng.choice([0, 0, 0, 0, 2, 4])
        tmpl = (
            protocols.preempt(ftp, pain_side=rng.choice(["left", "right", "both"]))
            if ftp
            else protocols.preempt()
        )
        return "preempt", list(tmpl.sites)
    return template, list(protocols.get(template).sites)


def _lot(
    lots: dict[tuple[str, int, int], Lot], product: str, size: int, when: dt.date, today: dt.date
) -> Lot:
    if product == "botox" and size == 200 and RECALL_DAYS[0] <= (today - when).days <= RECALL_DAYS[1]:
        return lots[("recall", 200, 0)]
    quarter = min(12, max(0, (today - when).days // 91))
    return lots[(product, size, quarter)]


def _vials_for(product: str, total: float) -> list[int]:
    """Vial sizes opened for ``total`` U: Botox 200 U vials (100 U for the remainder), Xeomin 100 U."""
    big = 200 if product == "botox" else 100
    out: list[int] = []
    left = total
    while left > 0:
        size = big if left > 100 else 100
        out.append(size)
        left -= size
    return out


def seed(ctx: Any) -> None:
    _chart_answers_cache.clear()  # another run (another database) may reuse the same patient ids
    rng = ctx.rng_for("visits")
    clinic, today = ctx.clinic, ctx.today
    nurse, prescriber, injector = ctx.staff["nurse"], ctx.staff["clinician"], ctx.staff["injector"]
    location = ctx.location
    lots: dict[tuple[str, int, int], Lot] = {}
    by_number = {lot.lot_number: lot for lot in Lot.objects.filter(clinic=clinic)}
    for quarter in range(13):
        for product, sizes in (("botox", (100, 200)), ("xeomin", (100,))):
            for size in sizes:
                lots[(product, size, quarter)] = by_number[history_lot_number(product, size, quarter)]
    lots[("recall", 200, 0)] = by_number[RECALL_LOT]

    ids = ctx.patient_ids[:HISTORY_PATIENTS]
    indications = dict(
        PatientIndication.objects.filter(patient_id__in=ids).values_list("patient_id", "indication")
    )
    from toxinclinic.patients.models import Patient

    patients = {p.pk: p for p in Patient.objects.filter(pk__in=ids)}
    demo_id = ctx.demo_patient.pk if ctx.demo_patient is not None else None
    override_id = next(
        (pid for pid in ids if pid != demo_id and indications.get(pid) == "chronic_migraine"), None
    )
    task = ctx.task("visit history", len(ids))
    due_today: list[Any] = []
    for pid in ids:
        patient = patients[pid]
        indication = indications.get(pid, "chronic_migraine")
        template = rng.choice(CD_TEMPLATES)
        product = "xeomin" if indication == "cervical_dystonia" and rng.random() < 0.2 else "botox"
        if pid == demo_id:
            dates = [today - dt.timedelta(days=d) for d in (70 + 86 + 84, 70 + 86, 70)]
        else:
            n = rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 6])
            if n == 0:
                ctx.advance(task)
                continue
            # Most patients are not due yet (last session less than one interval ago); the rest are due.
            dates = _session_dates(
                rng,
                today,
                patient.enrolled_on,
                n=n,
                last_gap=rng.randint(14, MIN_GAP_DAYS - 1)
                if rng.random() < 0.75
                else rng.randint(MIN_GAP_DAYS, MIN_GAP_DAYS + 31),
                min_gap=MIN_GAP_DAYS if indication == "chronic_migraine" else CD_MIN_GAP_DAYS,
            )
        if pid == override_id and len(dates) >= 2:
            dates[-2] = dates[-1] - dt.timedelta(days=70)
        history: list[dosing.Session] = []
        if rng.random() < 0.06 and pid != demo_id:
            given = dates[0] - dt.timedelta(days=rng.randint(100, 200))
            cosmetic_units = Decimal(rng.choice([20, 24, 40]))
            OutsideInjection.objects.create(
                patient=patient,
                given_on=given,
                product="botox",
                units=cosmetic_units,
                indication="cosmetic",
                where=rng.choice(["High Street Aesthetics", "Glow Skin Clinic", "Dr Lane's Practice"]),
                recorded_by=nurse,
            )
            # The history the signings check against is what was just stored.
            history.append(
                dosing.Session(given, "botox", "cosmetic", external_total_units=float(cosmetic_units))
            )
        for i, when in enumerate(dates):
            overrides = {}
            if pid == override_id and i == len(dates) - 1:
                overrides = {"min_interval": OVERRIDE_REASON}
            clinician = prescriber if (overrides or rng.random() < 0.6) else injector
            visit = _draft(
                rng, patient, indication, product, template, when, today, lots, location, nurse, clinician
            )
            svc.sign_visit(
                visit,
                clinician,
                expected_version=visit.version,
                overrides=overrides,
                acknowledge_warnings=True,
                history=history,
                archive_pdf=False,
                at=timezone.make_aware(dt.datetime.combine(when, dt.time(12, 30))),
            )
            history.append(
                dosing.Session(when, product, indication, external_total_units=float(visit.planned_units))
            )
        due = next_window(dates[-1]).is_open(today)
        if due and len(due_today) < 3 and pid != demo_id:
            due_today.append((patient, indication, product))
        ctx.advance(task)
    for patient, indication, product in due_today:
        visit = svc.create_visit(
            patient, actor=nurse, visit_date=today, indication=indication, product=product, location=location
        )
        svc.save_screening(visit, visit.version, actor=nurse, answers=demo_answers(visit))


def demo_answers(visit: Visit) -> dict[str, bool]:
    """The demo nurse's answers: what the chart says, and "no" to every other question that applies
    (as if asked and answered at the visit)."""
    prefill = svc.screening_prefill(visit)
    return {k: prefill.answers.get(k, False) for k in svc.SCREENING_KEYS if k not in prefill.not_applicable}


def demo_screening(patient: Any, when: dt.date, at: dt.datetime) -> dict[str, Any]:
    """A past visit's stored screening: "yes" where the chart holds the fact, "no"
    to every other question that applies, so a demo note never contradicts the demo chart."""
    from toxinclinic.patients.screening import chart_answers, not_applicable

    na = not_applicable(patient, when)
    chart = _chart_answers_cache.get(patient.pk)
    if chart is None:
        chart = _chart_answers_cache[patient.pk] = chart_answers(patient)
    answers = {k: chart.answers.get(k, False) for k in svc.SCREENING_KEYS if k not in na}
    # No sources: the demo chart rows are dated today, after these past visits; the nurse answered.
    return {"answers": answers, "not_applicable": na, "sources": {}, "at": at.isoformat()}


# The demo chart does not change while the history is written: read each patient's once.
_chart_answers_cache: dict[int, Any] = {}


def _draft(
    rng: Any,
    patient: Any,
    indication: str,
    product: str,
    template: str,
    when: dt.date,
    today: dt.date,
    lots: dict[tuple[str, int, int], Lot],
    location: Any,
    nurse: Any,
    clinician: Any,
) -> Visit:
    at = timezone.make_aware(dt.datetime.combine(when, dt.time(9, 30)))
    protocol, sites = _sites(rng, indication, template)
    visit = Visit.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        location=location,
        visit_date=when,
        indication=indication,
        product=product,
        protocol=protocol,
        screening=demo_screening(patient, when, at),
        screened_by=nurse,
        screened_at=at,
        nurse=nurse,
        clinician=clinician,
        created_by=nurse,
    )
    Consent.objects.create(
        visit=visit,
        discussed_benefits=True,
        discussed_common_effects=True,
        discussed_serious_effects=True,
        discussed_alternatives=True,
        consented_by="patient",
        consenter_name=patient.full_name,
        consented_at=at,
        recorded_by=nurse,
    )
    InjectionSite.objects.bulk_create(
        [
            InjectionSite(
                visit=visit,
                site_id=s.site_id,
                muscle=s.muscle,
                side=s.side,
                units=Decimal(str(s.units)),
                follow_the_pain=s.follow_the_pain,
                view=s.position[0],
                x=s.position[1],
                y=s.position[2],
                position=i,
            )
            for i, s in enumerate(sites)
        ]
    )
    total = Decimal(str(sum(s.units for s in sites)))
    left = total
    for size in _vials_for(product, float(total)):
        lot = _lot(lots, product, size, when, today)
        vial = Vial.objects.create(
            clinic_id=patient.clinic_id,
            lot=lot,
            location=location,
            size_units=size,
            status=VialStatus.OPENED,
            reconstituted_at=at,
            diluent_ml=Decimal(str(dosing.diluent_ml_for(size, DEMO_UNITS_PER_0_1_ML))),
            beyond_use_at=Vial.beyond_use(product, at),
        )
        given = min(left, Decimal(size))
        left -= given
        VialUse.objects.create(
            visit=visit,
            vial=vial,
            units_administered=given,
            units_discarded=Decimal(size) - given,
            recorded_by=nurse,
        )
    visit.planned_units = total  # type: ignore[attr-defined]
    return visit

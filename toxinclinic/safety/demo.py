"""Demo step: treatment sessions (unless the visits demo signed them), check-ins, side-effect reports with a
few urgent ones on the triage queue, and adverse-event records. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from django.utils import timezone

from toxinclinic.clinical import protocols, triage
from toxinclinic.demo.context import DemoContext
from toxinclinic.patients.models import Patient, PatientIndication
from toxinclinic.safety import conf
from toxinclinic.safety.models import (
    AdverseEvent,
    CheckIn,
    CheckInStatus,
    SideEffectReport,
    Source,
    TriageItem,
    TriageOutcome,
    TriageStatus,
)
from toxinclinic.safety.services import queue_reminder
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession

DEMO_ORDER = 30
#: The demo patient's last session: 16 days ago, so her day-14 check-in and PGIC are waiting.
DEMO_PATIENT_LAST_SESSION_DAYS_AGO = 16

ROUTINE_SETS = [
    ["neck_pain"],
    ["injection_site_pain"],
    ["injection_site_pain", "bruising"],
    ["headache"],
    ["drooping_eyelid"],
    ["flu_like_symptoms"],
    ["neck_weakness"],
    ["stiffness", "neck_pain"],
]
URGENT_SETS = [
    ["trouble_swallowing"],
    ["double_vision", "drooping_eyelid"],
    ["hives", "swelling_face_lips_tongue"],
    ["generalised_weakness", "trouble_speaking"],
    ["trouble_breathing"],
]
AE_TERMS = {
    "trouble_swallowing": "Dysphagia",
    "double_vision": "Diplopia",
    "hives": "Urticaria",
    "generalised_weakness": "Muscular weakness",
    "trouble_breathing": "Dyspnoea",
    "neck_pain": "Neck pain",
    "drooping_eyelid": "Eyelid ptosis",
}


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _sites(indication: str, rng: random.Random) -> tuple[list[dict[str, Any]], float]:
    if indication == "cervical_dystonia":
        sub = rng.choice(["torticollis", "laterocollis", "anterocollis", "retrocollis"])
        side = rng.choice(["left", "right"]) if sub in ("torticollis", "laterocollis") else None
        tmpl = protocols.cervical_dystonia(sub, side)
    else:
        tmpl = protocols.preempt(follow_the_pain=rng.random() < 0.3)
    sites = [{"muscle": s.muscle, "side": s.side, "units": float(s.units)} for s in tmpl.sites]
    return sites, float(sum(s["units"] for s in sites))


def _session_dates(p: Patient, today: dt.date, rng: random.Random, demo: bool) -> list[dt.date]:
    if demo:
        last = today - dt.timedelta(days=DEMO_PATIENT_LAST_SESSION_DAYS_AGO)
        # Four cycles at most, so her diary shows the chronic baseline before the first one.
        out = [last]
        interval = recall_interval_days()
        # Mostly on time: up to two weeks past the recall interval.
        while len(out) < 4 and out[-1] - dt.timedelta(days=interval + 14) > p.enrolled_on + dt.timedelta(
            days=42
        ):
            out.append(out[-1] - dt.timedelta(days=rng.randint(interval, interval + 14)))
        return sorted(out)
    d = p.enrolled_on + dt.timedelta(days=rng.randint(35, 70))
    out = []
    while d <= today:
        out.append(d)
        d += dt.timedelta(days=rng.randint(recall_interval_days(), recall_interval_days() + 21))
    return out


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng_for("safety")
    today = ctx.today
    clinic = ctx.clinic
    clinician = ctx.staff.get("clinician")
    nurse = ctx.staff.get("nurse")
    demo_pk = ctx.demo_patient.pk if ctx.demo_patient is not None else None
    if not TreatmentSession.objects.filter(clinic=clinic).exists():
        _sessions(ctx, rng, today, clinician, demo_pk)
    sessions = list(
        TreatmentSession.objects.filter(clinic=clinic).order_by("patient_id", "injected_on", "id")
    )
    _check_ins(ctx, rng, sessions, today)
    _reports(ctx, rng, sessions, today, nurse, clinician, demo_pk)


def _sessions(
    ctx: DemoContext, rng: random.Random, today: dt.date, clinician: Any, demo_pk: int | None
) -> None:
    ind = dict(
        PatientIndication.objects.filter(patient_id__in=ctx.patient_ids).values_list(
            "patient_id", "indication"
        )
    )
    patients = (
        Patient.objects.filter(pk__in=ctx.patient_ids).only("pk", "clinic_id", "enrolled_on").order_by("pk")
    )
    task = ctx.task("sessions", len(ctx.patient_ids))
    rows: list[TreatmentSession] = []
    label = clinician.display_name if clinician else ""
    for p in patients.iterator(chunk_size=2000):
        demo = p.pk == demo_pk
        indication = ind.get(p.pk, "chronic_migraine")
        treated = demo or rng.random() < 0.75
        if treated:
            for d in _session_dates(p, today, rng, demo):
                sites, total = _sites(indication, rng)
                rows.append(
                    TreatmentSession(
                        patient_id=p.pk,
                        clinic_id=p.clinic_id,
                        visit_id=_uuid(rng),
                        injected_on=d,
                        product="botox",
                        indication=indication,
                        total_units=total,
                        sites=sites,
                        signed_by=clinician,
                        signed_by_label=label,
                    )
                )
        if len(rows) >= 5000:
            TreatmentSession.objects.bulk_create(rows, batch_size=1000)
            rows = []
        ctx.advance(task)
    TreatmentSession.objects.bulk_create(rows, batch_size=1000)


def _check_ins(
    ctx: DemoContext, rng: random.Random, sessions: list[TreatmentSession], today: dt.date
) -> None:
    have = set(CheckIn.objects.filter(clinic=ctx.clinic).values_list("session_id", "day_offset"))
    open_days = conf.check_in_open_days()
    rows: list[CheckIn] = []
    for s in sessions:
        for off in conf.check_in_days():
            if (s.pk, off) in have:
                continue
            due = s.injected_on + dt.timedelta(days=off)
            answered = due + dt.timedelta(days=open_days) < today and rng.random() < 0.8
            at = None
            if answered:
                when = dt.datetime.combine(
                    due + dt.timedelta(days=rng.randint(0, 2)), dt.time(rng.randint(8, 21))
                )
                at = timezone.make_aware(when)
            rows.append(
                CheckIn(
                    session=s,
                    patient_id=s.patient_id,
                    clinic_id=s.clinic_id,
                    day_offset=off,
                    due_on=due,
                    status=CheckInStatus.ANSWERED if answered else CheckInStatus.PENDING,
                    answered_at=at,
                )
            )
    CheckIn.objects.bulk_create(rows, batch_size=2000)
    # Check-ins the visit_signed receiver scheduled for past sessions: most were answered back then.
    closed = list(
        CheckIn.objects.filter(
            clinic=ctx.clinic, status=CheckInStatus.PENDING, due_on__lt=today - dt.timedelta(days=open_days)
        ).order_by("pk")
    )
    answered = [ci for ci in closed if rng.random() < 0.8]
    for ci in answered:
        ci.status = CheckInStatus.ANSWERED
        ci.answered_at = timezone.make_aware(dt.datetime.combine(ci.due_on, dt.time(rng.randint(8, 21))))
    CheckIn.objects.bulk_update(answered, ["status", "answered_at"], batch_size=2000)
    # Reminders for check-ins still to come go through the task queue like live ones.
    for ci in CheckIn.objects.filter(clinic=ctx.clinic, status=CheckInStatus.PENDING, due_on__gte=today):
        queue_reminder(ci.pk)


def _reports(
    ctx: DemoContext,
    rng: random.Random,
    sessions: list[TreatmentSession],
    today: dt.date,
    nurse: Any,
    clinician: Any,
    demo_pk: int | None,
) -> None:
    task = ctx.task("side effects", len(sessions))
    # Each patient's latest session, newest first: the visits demo may have none in the last fortnight.
    latest: dict[int, TreatmentSession] = {}
    for s in sessions:
        if s.patient_id != demo_pk and (today - s.injected_on).days >= 1:
            latest[s.patient_id] = s  # sessions are ordered by date within a patient
    recent = sorted(latest.values(), key=lambda s: (s.injected_on, s.pk), reverse=True)[:20]
    # A few urgent reports from recent sessions stay open on the queue, so the demo queue is never empty.
    urgent_open = set(id(s) for s in rng.sample(recent, min(3, len(recent))))
    reports: list[SideEffectReport] = []
    meta: list[tuple[TreatmentSession, bool]] = []
    for s in sessions:
        ctx.advance(task)
        days_since = (today - s.injected_on).days
        is_open = id(s) in urgent_open
        r = rng.random()
        if is_open:
            symptoms = rng.choice(URGENT_SETS)
        elif r < 0.01 and days_since > 3:
            symptoms = rng.choice(URGENT_SETS)
        elif r < 0.10 and days_since > 1:
            symptoms = rng.choice(ROUTINE_SETS)
        else:
            continue
        day = min(days_since, rng.randint(1, 12)) if not is_open else rng.randint(0, min(days_since, 2))
        reported_on = s.injected_on + dt.timedelta(days=day)
        if is_open:
            reported_on = today - dt.timedelta(days=rng.randint(0, 1))
            day = (reported_on - s.injected_on).days
        t = triage.assess(symptoms, day)
        reports.append(
            SideEffectReport(
                patient_id=s.patient_id,
                clinic_id=s.clinic_id,
                session=s,
                source=Source.SPONTANEOUS if rng.random() < 0.6 else Source.CHECK_IN,
                symptoms=list(t.symptoms),
                days_since_injection=day,
                level=t.level,
                advice=t.advice,
                reasons=list(t.reasons),
            )
        )
        meta.append((s, is_open))
    SideEffectReport.objects.bulk_create(reports, batch_size=1000)
    # reported_at is auto_now_add: set the story's own times afterwards.
    now = timezone.now()
    items: list[TriageItem] = []
    aes: list[AdverseEvent] = []
    for rep, (s, is_open) in zip(reports, meta, strict=True):
        when = timezone.make_aware(
            dt.datetime.combine(
                s.injected_on + dt.timedelta(days=rep.days_since_injection),
                dt.time(rng.randint(7, 22), rng.randint(0, 59)),
            )
        )
        if is_open:
            when = min(now - dt.timedelta(minutes=rng.randint(12, 300)), when)
        rep.reported_at = min(when, now)
        closed = not is_open and rep.reported_at < now - dt.timedelta(days=2)
        item = TriageItem(
            report=rep,
            patient_id=rep.patient_id,
            clinic_id=rep.clinic_id,
            level=rep.level,
            priority=0 if rep.level == triage.URGENT else 1,
            reported_at=rep.reported_at,
            status=TriageStatus.CLOSED if closed else TriageStatus.OPEN,
        )
        if closed:
            handler = nurse if rng.random() < 0.6 else clinician
            item.acknowledged_by = item.called_back_by = handler
            item.acknowledged_at = rep.reported_at + dt.timedelta(minutes=rng.randint(5, 90))
            item.called_back_at = item.acknowledged_at + dt.timedelta(minutes=rng.randint(2, 60))
            item.closed_at = item.called_back_at
            if rep.level == triage.URGENT:
                item.outcome = (
                    TriageOutcome.SENT_TO_EMERGENCY if rng.random() < 0.5 else TriageOutcome.SEEN_IN_CLINIC
                )
                item.call_back_notes = "Called back; symptoms confirmed. Advised urgent assessment."
            else:
                item.outcome = rng.choice([TriageOutcome.ADVICE_GIVEN, TriageOutcome.NO_ACTION])
                item.call_back_notes = "Spoke to patient; expected effect, reassured. Call again if worse."
        items.append(item)
    SideEffectReport.objects.bulk_update(reports, ["reported_at"], batch_size=1000)
    TriageItem.objects.bulk_create(items, batch_size=1000)
    for item in items:
        rep = item.report
        if item.status == TriageStatus.CLOSED and (rep.level == triage.URGENT or rng.random() < 0.3):
            first = next((AE_TERMS[x] for x in rep.symptoms if x in AE_TERMS), "Injection-site pain")
            serious = rep.level == triage.URGENT and item.outcome == TriageOutcome.SENT_TO_EMERGENCY
            aes.append(
                AdverseEvent(
                    patient_id=rep.patient_id,
                    clinic_id=rep.clinic_id,
                    triage_item=item,
                    session=rep.session,
                    term=first,
                    severity="severe" if serious else rng.choice(["mild", "moderate"]),
                    serious=serious,
                    seriousness_criteria=["hospitalisation"] if serious else [],
                    onset_day=rep.days_since_injection,
                    outcome=rng.choice(["recovered", "recovered", "recovering"]),
                    recorded_by=clinician,
                )
            )
    AdverseEvent.objects.bulk_create(aes, batch_size=1000)

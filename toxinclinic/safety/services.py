"""Use cases: record a signed session, schedule and answer check-ins, report side effects, work the
triage queue and record adverse events. Every write is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.services import log_action, record_change, snapshot
from toxinclinic.clinical import triage
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import Conflict
from toxinclinic.safety import alerts, conf
from toxinclinic.safety.models import (
    AdverseEvent,
    CheckIn,
    CheckInStatus,
    SideEffectReport,
    Source,
    TriageItem,
    TriageStatus,
)
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.services import last_session


class InvalidInput(Exception):
    """Per-field errors (``{field: [message]}``); nothing was stored."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


# ---------------------------------------------------------------------------------------- check-ins


def schedule_check_ins(session: TreatmentSession, today: dt.date | None = None) -> list[CheckIn]:
    """Create the configured check-ins (default day 3 and day 14) and queue a reminder for each."""
    today = today or timezone.localdate()
    created: list[CheckIn] = []
    for offset in conf.check_in_days():
        ci, new = CheckIn.objects.get_or_create(
            session=session,
            day_offset=offset,
            defaults={
                "patient_id": session.patient_id,
                "clinic_id": session.clinic_id,
                "due_on": session.injected_on + dt.timedelta(days=offset),
            },
        )
        if new:
            created.append(ci)
    reminders = [ci.pk for ci in created if ci.due_on + dt.timedelta(days=conf.check_in_open_days()) >= today]
    if reminders:
        transaction.on_commit(lambda: [queue_reminder(pk) for pk in reminders])
    return created


def queue_reminder(check_in_pk: int) -> None:
    from toxinclinic.safety.tasks import send_check_in_reminder

    ci = CheckIn.objects.filter(pk=check_in_pk).only("due_on").first()
    if ci is None:
        return
    hour = conf.check_in_reminder_hour()
    when = timezone.make_aware(dt.datetime.combine(ci.due_on, dt.time(hour=hour)))
    task = send_check_in_reminder
    if task.get_backend().supports_defer:
        if when > timezone.now():
            task = task.using(run_after=when)
        task.enqueue(check_in_pk)
    elif when <= timezone.now():
        task.enqueue(check_in_pk)


def check_in_state(ci: CheckIn, today: dt.date | None = None) -> str:
    """answered | open | upcoming | missed (open for ``TOXINCLINIC_CHECKIN_OPEN_DAYS`` after it falls due)."""
    today = today or timezone.localdate()
    if ci.status == CheckInStatus.ANSWERED:
        return "answered"
    if ci.due_on > today:
        return "upcoming"
    if (today - ci.due_on).days > conf.check_in_open_days():
        return "missed"
    return "open"


def open_check_ins(patient: Patient, today: dt.date | None = None) -> list[CheckIn]:
    today = today or timezone.localdate()
    earliest = today - dt.timedelta(days=conf.check_in_open_days())
    return list(
        CheckIn.objects.filter(
            patient=patient, status=CheckInStatus.PENDING, due_on__lte=today, due_on__gte=earliest
        )
        .select_related("session")
        .order_by("due_on")
    )


def _clean_symptoms(symptoms: Iterable[Any]) -> list[str]:
    if isinstance(symptoms, str):
        symptoms = [symptoms]
    out: list[str] = []
    bad: list[str] = []
    for s in symptoms:
        if isinstance(s, str) and s in triage.SYMPTOMS:
            if s not in out:
                out.append(s)
        else:
            bad.append(repr(s)[:40])
    if bad:
        raise InvalidInput(
            {
                "symptoms": [
                    f"Unknown symptom {', '.join(bad)}: choose from the listed symptoms "
                    "(GET /api/v1/side-effects/symptoms gives the keys)."
                ]
            }
        )
    return out


def report_side_effect(
    patient: Patient,
    *,
    symptoms: Iterable[Any],
    other_text: str = "",
    actor: Any,
    check_in: CheckIn | None = None,
    today: dt.date | None = None,
) -> SideEffectReport:
    """Triage the symptoms with the engine, store the report and put it on the clinic's queue."""
    today = today or timezone.localdate()
    syms = _clean_symptoms(symptoms)
    other_text = (other_text or "").strip()
    if len(other_text) > 2000:
        raise InvalidInput({"other_text": ["Anything else: keep it under 2,000 characters."]})
    if not syms and not other_text:
        raise InvalidInput(
            {"symptoms": ["Choose at least one symptom, or describe what you feel under 'Anything else'."]}
        )
    session = check_in.session if check_in is not None else last_session(patient, today)
    if session is None:
        raise InvalidInput(
            {
                "session": [
                    "No injection is on record for you at this clinic, so there is nothing to report "
                    "against. If you feel unwell, call the clinic; in an emergency call emergency services."
                ]
            }
        )
    days = (today - session.injected_on).days
    verdict = triage.assess(syms, days)
    with transaction.atomic():
        report = SideEffectReport.objects.create(
            patient=patient,
            clinic_id=patient.clinic_id,
            session=session,
            check_in=check_in,
            source=Source.CHECK_IN if check_in else Source.SPONTANEOUS,
            symptoms=list(verdict.symptoms),
            other_text=other_text,
            days_since_injection=days,
            level=verdict.level,
            advice=verdict.advice,
            reasons=list(verdict.reasons),
            reported_by=actor if getattr(actor, "pk", None) else None,
        )
        record_change("side_effect.reported", report, None, actor=actor)
        item = TriageItem.objects.create(
            report=report,
            patient=patient,
            clinic_id=patient.clinic_id,
            level=verdict.level,
            priority=0 if verdict.level == triage.URGENT else 1,
            reported_at=report.reported_at,
        )
        record_change("triage.item_created", item, None, actor=actor)
        if item.urgent:
            alerts.start(item, patient.clinic)
        if check_in is not None:
            _mark_answered(check_in, actor, syms)
    return report


def answer_check_in(
    check_in: CheckIn, *, symptoms: Iterable[Any], other_text: str = "", actor: Any
) -> SideEffectReport | None:
    """No symptoms closes the check-in; any symptom becomes a triaged report."""
    today = timezone.localdate()
    state = check_in_state(check_in, today)
    if state != "open":
        msg = {
            "answered": (
                "This check-in was already answered. Report anything new with 'Report a side effect'."
            ),
            "upcoming": f"This check-in opens on {format_date(check_in.due_on, check_in.clinic)}.",
            "missed": "This check-in has closed. Report anything you feel with 'Report a side effect'.",
        }[state]
        raise InvalidInput({"check_in": [msg]})
    syms = _clean_symptoms(symptoms)
    if not syms and not (other_text or "").strip():
        with transaction.atomic():
            _mark_answered(check_in, actor, [])
        return None
    return report_side_effect(
        check_in.patient, symptoms=syms, other_text=other_text, actor=actor, check_in=check_in, today=today
    )


def _mark_answered(check_in: CheckIn, actor: Any, symptoms: list[str]) -> None:
    updated = CheckIn.objects.filter(pk=check_in.pk, status=CheckInStatus.PENDING).update(
        status=CheckInStatus.ANSWERED, answered_at=timezone.now()
    )
    if not updated:
        raise InvalidInput({"check_in": ["This check-in was already answered."]})
    check_in.refresh_from_db()
    log_action(
        "check_in.answered",
        actor=actor,
        obj=check_in,
        data={"day_offset": check_in.day_offset, "symptoms": symptoms},
    )


# ---------------------------------------------------------------------------------------- triage


def triage_queue(clinic_id: int, *, include_closed: bool = False) -> QuerySet[TriageItem]:
    """Open and acknowledged items, urgent first, then oldest first."""
    qs = TriageItem.objects.filter(clinic_id=clinic_id)
    if not include_closed:
        qs = qs.exclude(status=TriageStatus.CLOSED)
    return qs.select_related("patient", "report", "report__session", "acknowledged_by").order_by(
        "priority", "reported_at", "id"
    )


def open_urgent_count(clinic_id: int) -> int:
    return TriageItem.objects.filter(
        clinic_id=clinic_id, level=triage.URGENT, status__in=[TriageStatus.OPEN]
    ).count()


def _locked_update(item: TriageItem, version: int | None, actor: Any, action: str, apply: Any) -> TriageItem:
    with transaction.atomic():
        locked = TriageItem.objects.select_for_update().get(pk=item.pk)
        if version is not None and locked.version != version:
            raise Conflict(locked.version)
        before = snapshot(locked)
        apply(locked)
        locked.version += 1
        locked.save()
        record_change(action, locked, before, actor=actor)
    return locked


def acknowledge(item: TriageItem, *, actor: Any, version: int | None) -> TriageItem:
    """Take the item: the rest of the team sees who is calling the patient back."""
    if item.status == TriageStatus.CLOSED:
        raise InvalidInput({"status": ["This item is closed; nothing to acknowledge."]})

    def apply(i: TriageItem) -> None:
        if i.status == TriageStatus.OPEN:
            i.status = TriageStatus.ACKNOWLEDGED
            i.acknowledged_by = actor
            i.acknowledged_at = timezone.now()
        alerts.acknowledge(i, actor)  # stops paging the on-call list

    return _locked_update(item, version, actor, "triage.acknowledged", apply)


def record_call_back(
    item: TriageItem, *, actor: Any, version: int | None, notes: str, outcome: str, close: bool = True
) -> TriageItem:
    """Record the call to the patient and its outcome; closes the item unless ``close`` is False."""
    from toxinclinic.safety.models import TriageOutcome

    errors: dict[str, list[str]] = {}
    notes = (notes or "").strip()
    if not notes:
        errors["notes"] = ["Call-back notes: say what the patient said and what you advised."]
    elif len(notes) > 4000:
        errors["notes"] = ["Call-back notes: keep them under 4,000 characters."]
    if outcome not in TriageOutcome.values:
        errors["outcome"] = [
            f"Outcome: {str(outcome)[:40]!r} is not one of {', '.join(TriageOutcome.values)}."
        ]
    if errors:
        raise InvalidInput(errors)

    def apply(i: TriageItem) -> None:
        now = timezone.now()
        if i.acknowledged_at is None:
            i.acknowledged_by, i.acknowledged_at = actor, now
            alerts.acknowledge(i, actor)
        i.called_back_by, i.called_back_at = actor, now
        i.call_back_notes = notes
        i.outcome = outcome
        if close:
            i.status, i.closed_at = TriageStatus.CLOSED, now
        elif i.status == TriageStatus.OPEN:
            i.status = TriageStatus.ACKNOWLEDGED

    return _locked_update(item, version, actor, "triage.called_back", apply)


def create_adverse_event(
    patient: Patient, *, actor: Any, data: dict[str, Any], item: TriageItem | None = None
) -> AdverseEvent:
    """Store a validated adverse-event record (see ``forms.AdverseEventForm``)."""
    session = item.report.session if item is not None else last_session(patient)
    with transaction.atomic():
        ae = AdverseEvent.objects.create(
            patient=patient,
            clinic_id=patient.clinic_id,
            triage_item=item,
            session=session,
            recorded_by=actor,
            **data,
        )
        record_change("adverse_event.created", ae, None, actor=actor)
    return ae

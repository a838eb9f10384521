"""The reminder sweep: "you can book your next visit" (the engine's window opens), diary-gap nudges and
questionnaires due, each queued once through ``messaging.services.queue_for_patient`` (so the patient's
channel, opt-outs and the clinic's quiet hours apply) with one idempotency key per fact.

Messages name no drug, dose, symptom or diagnosis: a line about what is waiting and a link to the portal.
Only patients with a portal login are reminded (the link is all a message has).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from toxinclinic.accounts.locale import format_phone
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.messaging import periodic
from toxinclinic.messaging import services as messaging
from toxinclinic.messaging.hours import clinic_tz
from toxinclinic.messaging.models import PENDING, Message
from toxinclinic.outcomes.services import due_for
from toxinclinic.patients.models import Patient
from toxinclinic.reminders import conf
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.services import next_window, sessions_for

WINDOW_OPENS = "window_opens"
DIARY_NUDGE = "diary_nudge"
QUESTIONNAIRE_DUE = "questionnaire_due"


def _link(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _footer(patient: Patient) -> str:
    phone = format_phone(patient.clinic.phone, patient.clinic) if patient.clinic.phone else ""
    lines = [f"Questions? Call the clinic on {phone}." if phone else ""]
    lines.append(f"To change how we contact you: {_link('messaging:contact_preferences')}")
    return "\n".join(line for line in lines if line)


def _send_time(clinic: Any, day: dt.date) -> dt.datetime:
    """``day`` at the reminder hour, clinic time; now when that has passed (queue_for_patient moves it out
    of the quiet hours)."""
    at = dt.datetime.combine(day, conf.send_at()).replace(tzinfo=clinic_tz(clinic))
    return max(at, timezone.now())


def _cancel_others(topic: str, key: str, reason: str) -> int:
    """Cancel the pending messages of ``topic`` except ``key`` (the fact they are about was replaced)."""
    keys = list(
        Message.objects.filter(topic=topic, status__in=PENDING)
        .exclude(idempotency_key=key)
        .values_list("idempotency_key", flat=True)
    )
    return sum(messaging.cancel(key=k, reason=reason) for k in keys)


# ---------------------------------------------------------------------------------- window opens


def _window_topic_key(patient: Patient, session: TreatmentSession) -> tuple[str, str]:
    return f"window-opens:{patient.public_id}", f"window-opens:{session.public_id}"


def cancel_superseded(session: TreatmentSession) -> int:
    """A newly signed session moves the window: cancel a pending "you can book" about an earlier one."""
    patient = Patient.objects.get(pk=session.patient_id)
    latest = sessions_for(patient).first()
    if latest is None:
        return 0
    topic, key = _window_topic_key(patient, latest)
    return _cancel_others(topic, key, "a newer treatment was recorded, so the window moved.")


def window_opens(session: TreatmentSession, today: dt.date | None = None) -> Message | None:
    """On the day the engine's window opens after ``session`` (the patient's latest), queue "you can book
    your next visit" for the reminder hour; a pending one about an earlier session is cancelled."""
    today = today or timezone.localdate()
    patient = Patient.objects.select_related("clinic").get(pk=session.patient_id)
    latest = sessions_for(patient).first()
    if latest is None or latest.pk != session.pk or patient.user_id is None:
        return None
    topic, key = _window_topic_key(patient, session)
    _cancel_others(topic, key, "a newer treatment was recorded, so the window moved.")
    opens = next_window(session.injected_on).opens
    if opens > today or opens < today - dt.timedelta(days=conf.lookback_days()):
        return None
    return messaging.queue_for_patient(
        patient,
        kind=WINDOW_OPENS,
        key=key,
        topic=topic,
        subject=f"{patient.clinic.name}: you can book your next visit",
        body=(
            f"Hello,\n\nYou can now book your next visit with {patient.clinic.name}.\n"
            f"Sign in to see the dates: {_link('home')}\n\n{_footer(patient)}"
        ),
        send_after=_send_time(patient.clinic, opens),
    )


def _window_sweep(today: dt.date) -> int:
    """The latest session per patient whose window opened today or within the look-back (a sweep missed
    while no worker ran is caught up). Idempotent per session."""
    since = today - dt.timedelta(days=recall_interval_days() + conf.lookback_days())
    latest: dict[int, TreatmentSession] = {}
    for s in TreatmentSession.objects.filter(injected_on__gte=since, patient__user__isnull=False).order_by(
        "injected_on", "id"
    ):
        latest[s.patient_id] = s
    return sum(1 for s in latest.values() if window_opens(s, today) is not None)


# ---------------------------------------------------------------------------------- diary gaps


def diary_gaps(today: dt.date) -> int:
    """One nudge per gap: a patient whose last diary day is more than the clinic's N days ago (and whose
    gap began within the look-back) is reminded once, keyed by the first missing day."""
    queued = 0
    horizon = today - dt.timedelta(days=conf.lookback_days() + 61)
    rows = (
        DiaryEntry.objects.filter(date__gte=horizon, date__lte=today, patient__user__isnull=False)
        .values("patient_id")
        .annotate(last=Max("date"))
    )
    by_patient = {r["patient_id"]: r["last"] for r in rows}
    patients = Patient.objects.filter(pk__in=by_patient).select_related("clinic")
    gaps: dict[int, int] = {}
    for patient in patients:
        if patient.clinic_id not in gaps:
            gaps[patient.clinic_id] = conf.diary_gap_days(patient.clinic)
        n = gaps[patient.clinic_id]
        last = by_patient[patient.pk]
        first_missing = last + dt.timedelta(days=1)
        if n == 0 or (today - last).days <= n:
            continue
        if first_missing < today - dt.timedelta(days=conf.lookback_days() + n):
            continue  # an old gap: no late nudge
        msg = messaging.queue_for_patient(
            patient,
            kind=DIARY_NUDGE,
            key=f"diary-gap:{patient.public_id}:{first_missing.isoformat()}",
            topic=f"diary-gap:{patient.public_id}",
            subject=f"{patient.clinic.name}: a reminder about your diary",
            body=(
                "Hello,\n\nWe have not seen your headache diary for a few days. Filling in the missing days "
                f"takes a minute and helps your care team: {_link('diary:today')}\n\n{_footer(patient)}"
            ),
            send_after=_send_time(patient.clinic, today),
        )
        queued += msg is not None
    return queued


def cancel_closed_gaps() -> int:
    """A nudge not sent yet whose gap the patient has since filled in is no longer true: cancel it."""
    cancelled = 0
    for key, patient_id in Message.objects.filter(kind=DIARY_NUDGE, status__in=PENDING).values_list(
        "idempotency_key", "recipient_patient_id"
    ):
        first_missing = dt.date.fromisoformat(key.rsplit(":", 1)[1])
        if DiaryEntry.objects.filter(patient_id=patient_id, date__gte=first_missing).exists():
            cancelled += messaging.cancel(key=key, reason="the patient filled in their diary.")
    return cancelled


# ---------------------------------------------------------------------------------- questionnaires


def questionnaires_due(today: dt.date) -> int:
    """One message per patient and due period (outcomes says what is due and since when)."""
    ids = set(TreatmentSession.objects.values_list("patient_id", flat=True))
    from toxinclinic.patients.models import PatientIndication

    ids |= set(PatientIndication.objects.values_list("patient_id", flat=True))
    queued = 0
    oldest = today - dt.timedelta(days=conf.lookback_days())
    for patient in Patient.objects.filter(pk__in=ids, user__isnull=False).select_related("clinic"):
        periods = sorted({d.since for d in due_for(patient, today) if d.since >= oldest})
        for since in periods:
            msg = messaging.queue_for_patient(
                patient,
                kind=QUESTIONNAIRE_DUE,
                key=f"questionnaire-due:{patient.public_id}:{since.isoformat()}",
                topic=f"questionnaire-due:{patient.public_id}",
                subject=f"{patient.clinic.name}: a short questionnaire is waiting for you",
                body=(
                    "Hello,\n\nA short questionnaire is waiting for you. Your answers help your care team "
                    f"see how you are doing: {_link('outcomes:list')}\n\n{_footer(patient)}"
                ),
                send_after=_send_time(patient.clinic, today),
            )
            queued += msg is not None
    return queued


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """Everything due today. Safe to run any number of times: each fact has its own key."""
    today = today or timezone.localdate()
    return {
        "window_opens": _window_sweep(today),
        "diary_nudges": diary_gaps(today),
        "diary_nudges_cancelled": cancel_closed_gaps(),
        "questionnaires_due": questionnaires_due(today),
    }


# ---------------------------------------------------------------------------------- the chain

TICKER = "reminders"


def ensure_ticking(now: dt.datetime | None = None) -> None:
    """Keep one chain of sweep tasks alive; the first sweep comes soon after a (re)start."""
    from toxinclinic.reminders.tasks import reminder_sweep

    interval = conf.sweep_interval()
    first = min(interval, dt.timedelta(seconds=60))
    periodic.ensure_ticking(TICKER, reminder_sweep, interval, first_in=first, now=now)


def continue_ticking(scheduled_for: str) -> bool:
    """The sweep's first step: schedule its successor, unless a newer chain replaced this one."""
    from toxinclinic.reminders.tasks import reminder_sweep

    return periodic.continue_ticking(TICKER, reminder_sweep, conf.sweep_interval(), scheduled_for)

"""Queue a message, deliver it once, retry it with back-off, and sweep up after a worker that died.

``queue_message`` is the one door in: idempotent on ``key`` (queueing the same key twice returns the first
message). ``deliver`` is what the worker runs: it claims the row with a conditional UPDATE (due and not
leased, or leased by a worker whose lease ran out), records an attempt before it touches the channel, and
finishes the row only while it still holds the claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from toxinclinic.messaging import conf
from toxinclinic.messaging.channels import (
    DeliveryError,
    Outgoing,
    UnknownChannel,
    channel_names,
    get_channel,
)
from toxinclinic.messaging.models import PENDING, Attempt, Message, Outcome, Status, Ticker

log = logging.getLogger(__name__)

INTERRUPTED_UNKNOWN = (
    "The worker stopped while handing this message to the channel, which cannot tell whether it arrived. "
    "It was not sent again automatically, so it is never sent twice: check with the recipient, then retry."
)


class InvalidMessage(ValueError):
    pass


def _recipient_label(user: Any, patient: Any) -> str:
    if user is not None:
        role = user.get_role_display() if hasattr(user, "get_role_display") else ""
        return f"{user.display_name} ({role.lower()})" if role else user.display_name
    if patient is not None:
        return patient.full_name
    return ""


def _default_address(channel: str, user: Any, patient: Any) -> str:
    person = user if user is not None else patient
    if person is None:
        return ""
    if channel == "email":
        return getattr(person, "email", "") or ""
    return getattr(person, "phone", "") or ""


def queue_message(
    *,
    clinic_id: int,
    kind: str,
    key: str,
    channel: str,
    subject: str,
    body: str,
    recipient_user: Any = None,
    recipient_patient: Any = None,
    address: str | None = None,
    recipient_label: str | None = None,
    topic: str = "",
    send_after: dt.datetime | None = None,
    max_attempts: int | None = None,
) -> Message:
    """Put one message in the outbox and have the worker send it at ``send_after`` (default: now).

    The body should carry no more patient data than the message needs (a link, not the chart). Queueing
    an existing ``key`` again changes nothing and returns the stored message.
    """
    if channel not in channel_names():
        raise InvalidMessage(f"Channel {channel!r} is not configured; choose one of {channel_names()}.")
    if (recipient_user is None) == (recipient_patient is None):
        raise InvalidMessage("A message goes to exactly one person: a staff user or a patient.")
    if not key or len(key) > 200:
        raise InvalidMessage("The idempotency key must be 1 to 200 characters.")
    now = timezone.now()
    addr = address if address is not None else _default_address(channel, recipient_user, recipient_patient)
    msg, created = Message.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "clinic_id": clinic_id,
            "kind": kind,
            "topic": topic,
            "recipient_user": recipient_user,
            "recipient_patient": recipient_patient,
            "recipient_label": (recipient_label or _recipient_label(recipient_user, recipient_patient))[:200],
            "address": (addr or "")[:254],
            "channel": channel,
            "subject": subject[:200],
            "body": body,
            "max_attempts": max_attempts or conf.max_attempts(),
            "next_attempt_at": max(send_after or now, now),
        },
    )
    if created:
        pk, when = msg.pk, msg.next_attempt_at
        transaction.on_commit(lambda: enqueue_delivery(pk, when))
        transaction.on_commit(ensure_ticking)
    return msg


def queue_for_patient(
    patient: Any,
    *,
    kind: str,
    key: str,
    subject: str,
    body: str,
    topic: str = "",
    send_after: dt.datetime | None = None,
) -> Message | None:
    """A message to a patient on the channel the patient chose; the one call workflows use for patients.

    Returns the queued message, or ``None`` when the patient has opted out of this kind of message.
    Today every patient gets e-mail; per-patient channel choices, opt-out and quiet hours are the
    messaging room's to add here, so callers never pick a channel themselves.
    """
    return queue_message(
        clinic_id=patient.clinic_id,
        kind=kind,
        key=key,
        channel="email",
        subject=subject,
        body=body,
        recipient_patient=patient,
        topic=topic,
        send_after=send_after,
    )


def enqueue_delivery(message_pk: int, when: dt.datetime | None = None) -> None:
    from toxinclinic.messaging.tasks import deliver_message

    task = deliver_message
    backend = task.get_backend()
    if when is not None and when > timezone.now():
        if not backend.supports_defer:
            return  # the sweep picks it up when due
        task = task.using(run_after=when)
    task.enqueue(message_pk)


def _claimable(now: dt.datetime) -> Q:
    return Q(status__in=PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)


def _finish(msg: Message, token: str, **fields: Any) -> bool:
    """Write the outcome only while this worker still holds the claim."""
    fields.setdefault("lease_until", None)
    fields.setdefault("claim_token", "")
    return bool(Message.objects.filter(pk=msg.pk, claim_token=token).update(**fields))


def _next_number(msg: Message) -> int:
    return (msg.attempts.aggregate(n=Max("number"))["n"] or 0) + 1


def deliver(message_pk: int, *, worker: str = "") -> str:
    """Send one due message once. Returns what happened, in words, for the task result."""
    now = timezone.now()
    token = secrets.token_hex(8)
    claimed = (
        Message.objects.filter(pk=message_pk)
        .filter(_claimable(now))
        .update(status=Status.SENDING, lease_until=now + conf.lease(), claim_token=token)
    )
    if not claimed:
        return "not due, already sent, or being sent by another worker"
    msg = Message.objects.get(pk=message_pk)
    try:
        channel = get_channel(msg.channel)
    except UnknownChannel as exc:
        _finish(msg, token, status=Status.FAILED, last_error=str(exc)[:500], next_attempt_at=None)
        return "failed: unknown channel"

    cut_off = msg.attempts.filter(outcome=Outcome.STARTED).order_by("-number").first()
    if cut_off is not None:
        # A worker died between handing the message over and recording the answer.
        known = channel.was_delivered(msg.idempotency_key) if channel.can_check_delivery else None
        Attempt.objects.filter(pk=cut_off.pk).update(
            outcome=Outcome.INTERRUPTED, finished_at=now, error="The worker stopped while sending."
        )
        if known is None:
            _finish(msg, token, status=Status.FAILED, last_error=INTERRUPTED_UNKNOWN, next_attempt_at=None)
            return "failed: interrupted, delivery unknown"
        if known:
            with transaction.atomic():
                number = _next_number(msg)
                Attempt.objects.create(
                    message=msg, number=number, started_at=now, finished_at=now, outcome=Outcome.ALREADY,
                    worker=worker[:64],
                )  # fmt: skip
                _finish(
                    msg, token, status=Status.SENT, sent_at=now, attempt_count=number, next_attempt_at=None
                )
            return "sent (found delivered after an interrupted attempt)"

    # The attempt row and the count are committed together, before the channel is touched.
    with transaction.atomic():
        number = _next_number(msg)
        attempt = Attempt.objects.create(message=msg, number=number, started_at=now, worker=worker[:64])
        Message.objects.filter(pk=msg.pk, claim_token=token).update(attempt_count=number)
    out = Outgoing(key=msg.idempotency_key, address=msg.address, subject=msg.subject, body=msg.body)
    try:
        result = channel.deliver(out)
    except Exception as exc:  # a channel's bug counts as a failed attempt too: bounded, never a silent loop
        done = timezone.now()
        permanent = getattr(exc, "permanent", False)
        error = (str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}")[:500]
        if not isinstance(exc, DeliveryError):
            log.exception("channel %s raised while delivering message %s", msg.channel, msg.pk)
        Attempt.objects.filter(pk=attempt.pk).update(outcome=Outcome.FAILED, finished_at=done, error=error)
        if permanent or number >= msg.max_attempts:
            _finish(msg, token, status=Status.FAILED, last_error=error, next_attempt_at=None)
            return "failed"
        when = done + conf.retry_delay(number)
        if _finish(msg, token, status=Status.RETRYING, last_error=error, next_attempt_at=when):
            transaction.on_commit(lambda: enqueue_delivery(msg.pk, when))
        return f"retrying at {when.isoformat()}"
    done = timezone.now()
    outcome = Outcome.ALREADY if result == "already_delivered" else Outcome.SENT
    Attempt.objects.filter(pk=attempt.pk).update(outcome=outcome, finished_at=done)
    _finish(msg, token, status=Status.SENT, sent_at=done, last_error="", next_attempt_at=None)
    return "sent"


def retry(msg: Message, *, actor: Any) -> Message:
    """A person sends a failed message again (a fresh set of attempts)."""
    from toxinclinic.audit.services import log_action

    now = timezone.now()
    updated = Message.objects.filter(pk=msg.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        next_attempt_at=now,
        max_attempts=msg.attempt_count + conf.max_attempts(),
        last_error="",
    )
    if not updated:
        raise InvalidMessage("Only a failed message can be retried; this one is not failed any more.")
    log_action("message.retried", actor=actor, obj=msg, clinic_id=msg.clinic_id, data={"kind": msg.kind})
    transaction.on_commit(lambda: enqueue_delivery(msg.pk, now))
    transaction.on_commit(ensure_ticking)
    msg.refresh_from_db()
    return msg


def acknowledge_topic(topic: str, *, actor: Any, now: dt.datetime | None = None) -> None:
    """Somebody took charge: sent messages become acknowledged, those not yet sent are cancelled."""
    now = now or timezone.now()
    Message.objects.filter(topic=topic, status=Status.SENT).update(
        status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
    )
    Message.objects.filter(topic=topic, status__in=PENDING).update(
        status=Status.CANCELLED, next_attempt_at=None, last_error="Not sent: acknowledged before sending."
    )


def cancel(*, topic: str = "", key: str = "", reason: str) -> int:
    """Cancel the messages of ``topic`` (or the one ``key``) that are not sent yet; returns how many.
    For example an appointment that moved: its pending reminders go, the sent ones stay as history."""
    if not topic and not key:
        raise InvalidMessage("Say which messages to cancel: a topic or a key.")
    qs = Message.objects.filter(status__in=PENDING)
    qs = qs.filter(topic=topic) if topic else qs.filter(idempotency_key=key)
    return qs.update(status=Status.CANCELLED, next_attempt_at=None, last_error=f"Not sent: {reason}"[:500])


def messages_for(topic: str) -> QuerySet[Message]:
    return Message.objects.filter(topic=topic).select_related("recipient_user").order_by("created_at", "id")


def outbox(clinic_id: int, status: str | None = None) -> QuerySet[Message]:
    qs = Message.objects.filter(clinic_id=clinic_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


# ------------------------------------------------------------------------------------------ sweep

TICKER = "messaging"


def ensure_ticking(now: dt.datetime | None = None) -> None:
    """Make sure one chain of periodic sweep tasks is alive (started, or revived after a long stop)."""
    from toxinclinic.messaging.tasks import sweep_task

    if not sweep_task.get_backend().supports_defer:
        return
    now = now or timezone.now()
    interval = conf.sweep_interval()
    if Ticker.objects.filter(name=TICKER, next_run_at__gte=now - 3 * interval).exists():
        return  # the chain is alive (the common case: one read, no write)
    nxt = now + interval
    with transaction.atomic():
        ticker, created = Ticker.objects.get_or_create(name=TICKER, defaults={"next_run_at": nxt})
        if not created:
            created = bool(
                Ticker.objects.filter(pk=ticker.pk, next_run_at__lt=now - 3 * interval).update(
                    next_run_at=nxt
                )
            )
        if created:
            sweep_task.using(run_after=nxt).enqueue(nxt.isoformat())


def continue_ticking(scheduled_for: str) -> bool:
    """Called by the sweep task first: schedule its successor, unless a newer chain replaced this one."""
    from toxinclinic.messaging.tasks import sweep_task

    nxt = timezone.now() + conf.sweep_interval()
    with transaction.atomic():
        kept = Ticker.objects.filter(
            name=TICKER, next_run_at=dt.datetime.fromisoformat(scheduled_for)
        ).update(next_run_at=nxt)
        if kept:
            sweep_task.using(run_after=nxt).enqueue(nxt.isoformat())
    return bool(kept)


def sweep(now: dt.datetime | None = None, *, worker: str = "") -> dict[str, int]:
    """Deliver messages whose worker died (lease ran out) or whose task went missing, then run the due
    escalation steps. Safe to run any time, in any number of workers."""
    from toxinclinic.messaging import escalation

    now = now or timezone.now()
    late = now - conf.sweep_interval()
    stale = list(
        Message.objects.filter(
            Q(status=Status.SENDING, lease_until__lt=now) | Q(status__in=PENDING, next_attempt_at__lt=late)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:200]
    )
    for pk in stale:
        deliver(pk, worker=worker)
    steps = escalation.run_due(now)
    return {"redelivered": len(stale), "escalation_steps": steps}

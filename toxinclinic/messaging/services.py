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

from toxinclinic.messaging import conf, periodic
from toxinclinic.messaging.channels import (
    Channel,
    DeliveryError,
    Outgoing,
    UnknownChannel,
    channel_names,
    get_channel,
)
from toxinclinic.messaging.models import PENDING, Attempt, Message, Outcome, Status

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
    deferred_from: dt.datetime | None = None,
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
            "deferred_from": deferred_from,
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

    - The channel is the patient's choice (``preferences``; e-mail when they never chose, and e-mail when
      the chosen one is not configured here); the address is always the patient's own, never a caller's.
    - Returns ``None``, and stores nothing, when the patient turned this kind of reminder off or has no
      address on the chosen channel. Nothing is stored on purpose: the choice itself is on the outbox and
      the chart, and its changes (with dates) are in the audit trail, which answers "why did I get no
      reminder?" without an outbox full of messages that were never going to be sent.
    - A message due inside the clinic's quiet hours is moved to their end (``deferred_from`` keeps the
      time it was due, and the outbox shows both). Urgent messages to staff never come through here.
    """
    from toxinclinic.messaging import preferences

    pref = preferences.preference_for(patient)
    if not pref.wants(kind):
        return None
    channel = pref.channel if pref.channel in channel_names() else "email"
    address = preferences.address_for(patient, channel)
    if not address.strip():
        return None
    due = max(send_after or timezone.now(), timezone.now())
    when = preferences.outside_quiet_hours(patient.clinic, due)
    msg = queue_message(
        clinic_id=patient.clinic_id,
        kind=kind,
        key=key,
        channel=channel,
        subject=subject,
        body=body,
        recipient_patient=patient,
        address=address,
        topic=topic,
        send_after=when,
        deferred_from=due if when != due else None,
    )
    return msg


def enqueue_delivery(message_pk: int, when: dt.datetime | None = None) -> None:
    """Have a worker send what is due at ``when`` (default now): one ``deliver_due`` task sends every due
    message in batches, so a task already waiting for that moment covers this message too (no new row).

    Safe because this runs after the message's commit: a task still READY is claimed, and reads the due
    messages, after this check."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    from toxinclinic.messaging.tasks import deliver_due

    task = deliver_due
    backend = task.get_backend()
    now = timezone.now()
    future = when is not None and when > now
    if future and not backend.supports_defer:
        return  # the sweep picks it up when due
    if isinstance(backend, DatabaseBackend):  # only the database queue can be asked what is waiting
        waiting = DBTaskResult.objects.filter(task_path=task.module_path, status="READY")
        if future:
            assert when is not None
            waiting = waiting.filter(run_after__gte=when, run_after__lte=when + BATCH_SLACK)
        else:
            waiting = waiting.filter(Q(run_after=get_date_max()) | Q(run_after__lte=now + BATCH_SLACK))
        if waiting.exists():
            return
    if future:
        task = task.using(run_after=when)
    task.enqueue()


#: A waiting batch task this close after a message's due time sends it too.
BATCH_SLACK = dt.timedelta(seconds=1)


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
    return _deliver_claimed(msg, token, channel, worker=worker, now=now)


def _deliver_claimed(msg: Message, token: str, channel: Channel, *, worker: str, now: dt.datetime) -> str:
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
        Attempt.objects.create(message=msg, number=number, started_at=now, worker=worker[:64])
        Message.objects.filter(pk=msg.pk, claim_token=token).update(attempt_count=number)
    msg.attempt_count = number
    result = _send(msg, channel)
    if isinstance(result, Exception):
        return _failed(msg, token, result)
    _sent([msg], token, result)
    return "sent"


def _send(msg: Message, channel: Channel) -> str | Exception:
    out = Outgoing(key=msg.idempotency_key, address=msg.address, subject=msg.subject, body=msg.body)
    try:
        return channel.deliver(out)
    except Exception as exc:  # a channel's bug counts as a failed attempt too: bounded, never a silent loop
        if not isinstance(exc, DeliveryError):
            log.exception("channel %s raised while delivering message %s", msg.channel, msg.pk)
        return exc


def _failed(msg: Message, token: str, exc: Exception) -> str:
    done = timezone.now()
    number = msg.attempt_count
    permanent = getattr(exc, "permanent", False)
    error = (str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}")[:500]
    Attempt.objects.filter(message_id=msg.pk, number=number).update(
        outcome=Outcome.FAILED, finished_at=done, error=error
    )
    if permanent or number >= msg.max_attempts:
        _finish(msg, token, status=Status.FAILED, last_error=error, next_attempt_at=None)
        return "failed"
    when = done + conf.retry_delay(number)
    if _finish(msg, token, status=Status.RETRYING, last_error=error, next_attempt_at=when):
        pk = msg.pk
        transaction.on_commit(lambda: enqueue_delivery(pk, when))
    return f"retrying at {when.isoformat()}"


def _sent(msgs: list[Message], token: str, results: str | list[str]) -> None:
    """Record delivered messages: their attempts' outcomes, then the messages (only while claimed)."""
    done = timezone.now()
    outcomes = [results] * len(msgs) if isinstance(results, str) else results
    already = [m for m, r in zip(msgs, outcomes, strict=True) if r == "already_delivered"]
    fresh = [m for m, r in zip(msgs, outcomes, strict=True) if r != "already_delivered"]
    with transaction.atomic():
        for group, outcome in ((fresh, Outcome.SENT), (already, Outcome.ALREADY)):
            for number in {m.attempt_count for m in group}:
                Attempt.objects.filter(
                    message_id__in=[m.pk for m in group if m.attempt_count == number], number=number
                ).update(outcome=outcome, finished_at=done)
        Message.objects.filter(pk__in=[m.pk for m in msgs], claim_token=token).update(
            status=Status.SENT, sent_at=done, last_error="", next_attempt_at=None, lease_until=None,
            claim_token="",
        )  # fmt: skip


def deliver_due(*, worker: str = "", limit: int | None = None, rounds: int = 20) -> dict[str, int]:
    """Send every due message, ``limit`` at a time, for up to ``rounds`` batches (the rest: a new task).

    Each batch is claimed by one conditional UPDATE (due and not leased, or its lease ran out) with a
    fresh token; a message another worker claimed first is simply not in this batch. Messages on a channel
    that can tell afterwards whether it delivered (the file channel) get their attempts recorded for the
    whole batch in one transaction before the channel is touched, and their outcomes in one more; on a
    channel that cannot tell (SMTP) each message is recorded, sent and finished one at a time, so a worker
    killed mid-batch leaves at most one message whose fate is unknown. A message interrupted earlier takes
    the one-at-a-time path that asks the channel first. Never twice: see ``_deliver_claimed``.
    """
    limit = limit or conf.batch_size()
    totals = {"sent": 0, "retrying": 0, "failed": 0, "batches": 0}
    for _ in range(rounds):
        now = timezone.now()
        ids = list(
            Message.objects.filter(_claimable(now))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return totals
        token = secrets.token_hex(8)
        Message.objects.filter(pk__in=ids).filter(_claimable(now)).update(
            status=Status.SENDING, lease_until=now + conf.lease(), claim_token=token
        )
        batch = list(Message.objects.filter(pk__in=ids, claim_token=token).order_by("next_attempt_at", "id"))
        totals["batches"] += 1
        for outcome, n in _deliver_batch(batch, token, worker=worker, now=now).items():
            totals[outcome] = totals.get(outcome, 0) + n
    if Message.objects.filter(_claimable(timezone.now())).exists():
        transaction.on_commit(lambda: enqueue_delivery(0))
    return totals


def _deliver_batch(batch: list[Message], token: str, *, worker: str, now: dt.datetime) -> dict[str, int]:
    counts = {"sent": 0, "retrying": 0, "failed": 0}

    def count(result: str) -> None:
        counts[result.split(" ")[0].rstrip(":")] = counts.get(result.split(" ")[0].rstrip(":"), 0) + 1

    interrupted = set(
        Attempt.objects.filter(message__in=batch, outcome=Outcome.STARTED).values_list(
            "message_id", flat=True
        )
    )
    by_channel: dict[str, list[Message]] = {}
    for msg in batch:
        by_channel.setdefault(msg.channel, []).append(msg)
    for name, msgs in by_channel.items():
        try:
            channel = get_channel(name)
        except UnknownChannel as exc:
            for msg in msgs:
                _finish(msg, token, status=Status.FAILED, last_error=str(exc)[:500], next_attempt_at=None)
                count("failed")
            continue
        slow = [m for m in msgs if m.pk in interrupted or not channel.can_check_delivery]
        fast = [m for m in msgs if m not in slow]
        for msg in slow:
            # One at a time, each with a fresh lease: a slow mail server must not let the batch's lease
            # run out under messages still waiting here (another worker may have taken them: skip those).
            renewed = Message.objects.filter(pk=msg.pk, claim_token=token, status=Status.SENDING).update(
                lease_until=timezone.now() + conf.lease()
            )
            if renewed:
                count(_deliver_claimed(msg, token, channel, worker=worker, now=timezone.now()))
        if not fast:
            continue
        last = dict(
            Attempt.objects.filter(message__in=fast)
            .values("message_id")
            .annotate(n=Max("number"))
            .values_list("message_id", "n")
        )
        with transaction.atomic():  # every attempt is on record before the channel sees any message
            for msg in fast:
                msg.attempt_count = (last.get(msg.pk) or 0) + 1
            Attempt.objects.bulk_create(
                [Attempt(message=m, number=m.attempt_count, started_at=now, worker=worker[:64]) for m in fast]
            )
            for n in {m.attempt_count for m in fast}:
                Message.objects.filter(
                    pk__in=[m.pk for m in fast if m.attempt_count == n], claim_token=token
                ).update(attempt_count=n)
        delivered: list[Message] = []
        results: list[str] = []
        answers = channel.deliver_many(
            [Outgoing(key=m.idempotency_key, address=m.address, subject=m.subject, body=m.body) for m in fast]
        )
        for msg, result in zip(fast, answers, strict=True):
            if isinstance(result, Exception):
                if not isinstance(result, DeliveryError):
                    log.error(
                        "channel %s raised while delivering message %s: %r", msg.channel, msg.pk, result
                    )
                count(_failed(msg, token, result))
            else:
                delivered.append(msg)
                results.append(result)
        if delivered:
            _sent(delivered, token, results)
            counts["sent"] += len(delivered)
    return counts


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

    periodic.ensure_ticking(TICKER, sweep_task, conf.sweep_interval(), now=now)


def continue_ticking(scheduled_for: str) -> bool:
    """Called by the sweep task first: schedule its successor, unless a newer chain replaced this one."""
    from toxinclinic.messaging.tasks import sweep_task

    return periodic.continue_ticking(TICKER, sweep_task, conf.sweep_interval(), scheduled_for)


def sweep(now: dt.datetime | None = None, *, worker: str = "") -> dict[str, int]:
    """Deliver messages whose worker died (lease ran out) or whose task went missing, then run the due
    escalation steps. Safe to run any time, in any number of workers."""
    from toxinclinic.messaging import escalation

    now = now or timezone.now()
    # The same batches as the delivery task: a message whose task went missing, or whose worker died
    # (lease ran out), is simply due; claimed by the same conditional UPDATE, so never sent twice.
    done = deliver_due(worker=worker, rounds=4)
    steps = escalation.run_due(now)
    return {"redelivered": done["sent"] + done["retrying"] + done["failed"], "escalation_steps": steps}

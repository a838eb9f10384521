"""The outbox: queued once per key, delivered once, retried with back-off, failed honestly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from toxinclinic.messaging import conf, services
from toxinclinic.messaging.channels import FileChannel, key_filename
from toxinclinic.messaging.models import Attempt, Message, Outcome, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(tmp_path)},
        },
        "flaky": {
            "BACKEND": "toxinclinic.messaging.tests.channels.FlakyFileChannel",
            "OPTIONS": {"directory": str(tmp_path), "fail_times": 2},
        },
    }
    return tmp_path


def _queue(world: Any, channel: str = "sms", key: str = "k-1", **kw: Any) -> Message:
    return services.queue_message(
        clinic_id=world.clinic.pk,
        kind="urgent_report",
        key=key,
        channel=channel,
        recipient_user=world.user("nurse"),
        address=kw.pop("address", "+1 555 0100"),
        subject="Urgent report waiting",
        body="Open the triage queue.",
        **kw,
    )


def test_queueing_the_same_key_twice_stores_one_message(world: Any, sms_dir: Path) -> None:
    a = _queue(world)
    b = _queue(world, address="+1 555 9999")
    assert a.pk == b.pk and Message.objects.count() == 1
    assert b.address == "+1 555 0100"  # the first one stands
    assert a.status == Status.QUEUED and a.next_attempt_at is not None
    assert a.recipient_label == "Nurse Tester (nurse)"


def test_queue_refuses_unknown_channel_and_two_recipients(world: Any, sms_dir: Path) -> None:
    with pytest.raises(services.InvalidMessage, match="pigeon"):
        _queue(world, channel="pigeon")
    with pytest.raises(services.InvalidMessage, match="exactly one person"):
        _queue(world, recipient_patient=world.patient)
    assert Message.objects.count() == 0


def test_delivery_writes_one_file_and_a_second_run_sends_nothing(world: Any, sms_dir: Path) -> None:
    msg = _queue(world)
    assert services.deliver(msg.pk) == "sent"
    assert services.deliver(msg.pk).startswith("not due")
    msg.refresh_from_db()
    assert msg.status == Status.SENT and msg.sent_at and msg.attempt_count == 1
    files = [p for p in sms_dir.iterdir() if not p.name.startswith(".")]
    assert [p.name for p in files] == [key_filename("k-1")]
    assert "Open the triage queue." in files[0].read_text()
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.SENT]


def test_file_channel_never_overwrites_a_delivered_message(sms_dir: Path) -> None:
    from toxinclinic.messaging.channels import Outgoing

    ch = FileChannel("sms", directory=str(sms_dir))
    out = Outgoing(key="a/b:c", address="+1", subject="s", body="first")
    assert ch.deliver(out) == "sent"
    assert ch.deliver(Outgoing(key="a/b:c", address="+1", subject="s", body="second")) == "already_delivered"
    [f] = [p for p in sms_dir.iterdir()]
    assert "first" in f.read_text() and "/" not in f.name
    assert ch.was_delivered("a/b:c") and not ch.was_delivered("other")


def test_failures_back_off_exponentially_then_deliver(
    world: Any, sms_dir: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TOXINCLINIC_MESSAGING_RETRY_SECONDS = 30
    msg = _queue(world, channel="flaky")
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver(msg.pk).startswith("retrying")
    msg.refresh_from_db()
    assert msg.status == Status.RETRYING and "Simulated outage" in msg.last_error
    first_wait = msg.next_attempt_at - before
    assert dt.timedelta(seconds=29) < first_wait < dt.timedelta(seconds=32)
    # Not due yet: a worker that picks it up early does nothing.
    assert services.deliver(msg.pk).startswith("not due")
    # The retry was put in the task queue for the right time.
    retry_task = DBTaskResult.objects.filter(task_path__endswith="deliver_due", run_after=msg.next_attempt_at)
    assert retry_task.exists()
    Message.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    services.deliver(msg.pk)
    msg.refresh_from_db()
    assert dt.timedelta(seconds=59) < msg.next_attempt_at - before < dt.timedelta(seconds=62)
    Message.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now())
    assert services.deliver(msg.pk) == "sent"
    msg.refresh_from_db()
    assert msg.status == Status.SENT and msg.attempt_count == 3
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.FAILED, Outcome.FAILED, Outcome.SENT]


def test_back_off_is_capped(settings: Any) -> None:
    settings.TOXINCLINIC_MESSAGING_RETRY_SECONDS = 30
    settings.TOXINCLINIC_MESSAGING_RETRY_MAX_SECONDS = 600
    assert [conf.retry_delay(n).total_seconds() for n in (1, 2, 3, 5, 9)] == [30, 60, 120, 480, 600]


def test_gives_up_after_max_attempts_and_a_person_can_retry(world: Any, sms_dir: Path) -> None:
    msg = _queue(world, channel="flaky", max_attempts=2)
    services.deliver(msg.pk)
    Message.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now())
    assert services.deliver(msg.pk) == "failed"
    msg.refresh_from_db()
    assert msg.status == Status.FAILED and msg.next_attempt_at is None
    services.retry(msg, actor=world.user("nurse"))
    msg.refresh_from_db()
    assert msg.status == Status.QUEUED
    assert services.deliver(msg.pk) == "sent"  # the flaky channel's third try succeeds
    assert Attempt.objects.filter(message=msg).count() == 3
    with pytest.raises(services.InvalidMessage, match="Only a failed message"):
        services.retry(msg, actor=world.user("nurse"))


def test_a_message_with_no_address_fails_at_once(world: Any, sms_dir: Path) -> None:
    msg = _queue(world, address="")
    assert services.deliver(msg.pk) == "failed"
    msg.refresh_from_db()
    assert msg.status == Status.FAILED and "No phone number" in msg.last_error and msg.attempt_count == 1


def test_a_claimed_message_is_not_taken_by_a_second_worker_until_its_lease_runs_out(
    world: Any, sms_dir: Path
) -> None:
    msg = _queue(world)
    Message.objects.filter(pk=msg.pk).update(
        status=Status.SENDING, lease_until=timezone.now() + dt.timedelta(minutes=1), claim_token="other"
    )
    assert services.deliver(msg.pk).startswith("not due")
    assert not any(sms_dir.iterdir())


def test_worker_died_after_writing_the_file_is_not_sent_again(world: Any, sms_dir: Path) -> None:
    from toxinclinic.messaging.channels import Outgoing

    msg = _queue(world)
    # What a killed worker leaves: the claim with an expired lease, a started attempt, the file written.
    Message.objects.filter(pk=msg.pk).update(
        status=Status.SENDING, lease_until=timezone.now() - dt.timedelta(seconds=1), attempt_count=1
    )
    Attempt.objects.create(message=msg, number=1, started_at=timezone.now())
    FileChannel("sms", directory=str(sms_dir)).deliver(Outgoing(msg.idempotency_key, msg.address, "", "x"))
    assert services.sweep()["redelivered"] == 1
    msg.refresh_from_db()
    assert msg.status == Status.SENT
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.INTERRUPTED, Outcome.ALREADY]
    assert len(list(sms_dir.iterdir())) == 1


def test_interrupted_email_is_failed_for_a_person_to_decide_never_resent(world: Any, sms_dir: Path) -> None:
    msg = _queue(world, channel="email", address="nurse@example.org")
    Message.objects.filter(pk=msg.pk).update(
        status=Status.SENDING, lease_until=timezone.now() - dt.timedelta(seconds=1), attempt_count=1
    )
    Attempt.objects.create(message=msg, number=1, started_at=timezone.now())
    services.deliver(msg.pk)
    msg.refresh_from_db()
    assert msg.status == Status.FAILED
    assert "cannot tell whether it arrived" in msg.last_error
    assert mail.outbox == []


def test_email_channel_sends_through_django_with_a_stable_message_id(world: Any, sms_dir: Path) -> None:
    msg = _queue(world, channel="email", address="nurse@example.org")
    assert services.deliver(msg.pk) == "sent"
    [sent] = mail.outbox
    assert sent.to == ["nurse@example.org"] and sent.subject == "Urgent report waiting"
    assert sent.extra_headers["Message-ID"].endswith("@toxinclinic>")


def test_sweep_chain_is_started_once(world: Any, sms_dir: Path) -> None:
    from toxinclinic.messaging.models import Ticker

    services.ensure_ticking()
    services.ensure_ticking()
    assert Ticker.objects.count() == 1
    sweeps = DBTaskResult.objects.filter(task_path__endswith="sweep_task")
    [t] = list(sweeps)
    # The task continues its chain; a stale copy (another token) does not.
    assert services.continue_ticking(t.args_kwargs["args"][0]) is True
    assert services.continue_ticking(t.args_kwargs["args"][0]) is False
    assert sweeps.all().count() == 2


def test_cancel_takes_back_pending_messages_and_keeps_sent_ones(world: Any, sms_dir: Path) -> None:
    sent = _queue(world, key="appt-1:week", topic="appointment:1")
    services.deliver(sent.pk)
    pending = _queue(world, key="appt-1:day", topic="appointment:1")
    assert services.cancel(topic="appointment:1", reason="the appointment was cancelled") == 1
    pending.refresh_from_db()
    sent.refresh_from_db()
    assert pending.status == Status.CANCELLED and "appointment was cancelled" in pending.last_error
    assert sent.status == Status.SENT
    assert services.deliver(pending.pk).startswith("not due")
    with pytest.raises(services.InvalidMessage):
        services.cancel(reason="nothing named")


def test_the_sweep_task_keeps_only_a_day_of_its_own_results(world: Any, sms_dir: Path) -> None:
    from toxinclinic.messaging.tasks import _prune_own_results, deliver_message, sweep_task

    old = timezone.now() - dt.timedelta(days=2)
    for task_path in (sweep_task.module_path, deliver_message.module_path):
        DBTaskResult.objects.create(
            task_path=task_path, args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
            backend_name="default", status="SUCCESSFUL", finished_at=old, run_after=old,
        )  # fmt: skip
    assert _prune_own_results() == 1
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [deliver_message.module_path]


class _BrokenChannel(FileChannel):
    def deliver(self, msg: Any) -> str:
        raise KeyError("template")


def test_a_channel_that_raises_counts_as_a_failed_attempt(world: Any, sms_dir: Path, settings: Any) -> None:
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "sms": {"BACKEND": f"{__name__}._BrokenChannel", "OPTIONS": {"directory": str(sms_dir)}}
    }
    msg = _queue(world, max_attempts=1)
    assert services.deliver(msg.pk) == "failed"
    msg.refresh_from_db()
    assert msg.status == Status.FAILED and msg.last_error == "KeyError: 'template'"
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.FAILED]


def test_batch_skips_a_message_another_worker_took_over_on_a_channel_that_cannot_check(
    world: Any, sms_dir: Path, settings: Any
) -> None:
    from toxinclinic.messaging.tests.channels import StealingChannel

    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "slow": {
            "BACKEND": "toxinclinic.messaging.tests.channels.StealingChannel",
            "OPTIONS": {"directory": str(sms_dir)},
        }
    }
    StealingChannel.sent = []
    a, b = _queue(world, channel="slow", key="k-1"), _queue(world, channel="slow", key="k-2")
    assert services.deliver_due()["sent"] == 1
    assert StealingChannel.sent == ["k-1"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Status.SENT and b.status == Status.SENDING and not b.attempts.exists()

"""Outbox throughput: messages per second sent by one ``db_worker`` through the file channel (queue, claim in
batches, attempt rows, write the files, mark sent), beside the bare file channel writing the same messages."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import BenchResult
from benchmarks.django_env import ensure_django

NOTES = """
`outbox` queues N messages with `queue_message` and times one `db_worker --batch` sending them all (SQLite,
in-process worker, file channel, `TOXINCLINIC_MESSAGING_BATCH_SIZE` 50: one task claims due messages 50 at a
time with one conditional UPDATE, records their attempts in one transaction before the channel sees them and
their outcomes in one more). Baselines, same run, same N: the bare `FileChannel.deliver` writing the files one
at a time (every file fsynced before it is linked), and the bare `FileChannel.deliver_many` (the same files
with the fsyncs overlapped, as the worker's batches do). The second ratio is the price of the outbox itself:
sending each message once, with its attempt on record. The load average is printed because the machine
is shared and the fsync cost moves with it.
"""


def run(quick: bool = False) -> list[BenchResult]:
    ensure_django()
    from django.test import override_settings

    out = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    channels = {
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(out / "o")},
        }
    }
    # Only for this bench: the benches after it (in the same process) book appointments by e-mail.
    with override_settings(TOXINCLINIC_MESSAGING_CHANNELS=channels):
        return _measure(quick, out)


def _measure(quick: bool, out: Path) -> list[BenchResult]:
    from django.core.management import call_command

    from toxinclinic.accounts.models import Clinic, Role, User
    from toxinclinic.messaging.channels import FileChannel, Outgoing
    from toxinclinic.messaging.models import Message, Status
    from toxinclinic.messaging.services import queue_message

    n = 200 if quick else 2000
    clinic = Clinic.objects.create(name="Bench clinic", phone="+1 212 555 0100")
    nurse = User.objects.create(username="bench-nurse", role=Role.NURSE, clinic=clinic)
    body = "Your appointment is tomorrow at 9:00."
    for i in range(n):
        queue_message(
            clinic_id=clinic.pk, kind="bench", key=f"bench:{i}", channel="sms", recipient_user=nurse,
            address="+1 212 555 0142", subject="s", body=body,
        )  # fmt: skip
    t0 = time.perf_counter()
    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, verbosity=0)
    worker_s = time.perf_counter() - t0
    sent = Message.objects.filter(kind="bench", status=Status.SENT).count()
    assert sent == n, f"only {sent} of {n} sent"

    msgs = [Outgoing(f"bench:{i}", "+1 212 555 0142", "s", body) for i in range(n)]
    bare = FileChannel("sms", directory=str(out / "b"))
    t0 = time.perf_counter()
    for m in msgs:
        bare.deliver(m)
    bare_s = time.perf_counter() - t0
    many = FileChannel("sms", directory=str(out / "m"))
    t0 = time.perf_counter()
    for i in range(0, n, 50):
        assert all(r == "sent" for r in many.deliver_many(msgs[i : i + 50]))
    many_s = time.perf_counter() - t0
    load = "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    name = f"outbox: {n} messages through one db_worker (file channel, SQLite; {load})"
    return [
        BenchResult(
            name=name,
            figure=n / worker_s,
            unit="messages/s",
            baseline_name="bare file channel, one file at a time",
            baseline=n / bare_s,
            higher_is_better=True,
        ),
        BenchResult(
            name=name,
            figure=n / worker_s,
            unit="messages/s",
            baseline_name="bare file channel, 50 files at a time (deliver_many)",
            baseline=n / many_s,
            higher_is_better=True,
        ),
    ]

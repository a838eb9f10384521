"""Outbox throughput: messages per second sent by one ``db_worker`` through the file channel (queue, claim,
attempt row, write the file, mark sent), beside the bare file channel writing the same messages."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import BenchResult
from benchmarks.django_env import ensure_django

NOTES = """
`outbox` queues N messages with `queue_message` and times one `db_worker --batch` sending them all (SQLite,
in-process worker, file channel); the baseline is `FileChannel.deliver` writing the same N files with no
outbox. The ratio is the price of sending each message once, with its attempt recorded.
"""


def run(quick: bool = False) -> list[BenchResult]:
    ensure_django()
    from django.conf import settings
    from django.core.management import call_command

    from toxinclinic.accounts.models import Clinic, Role, User
    from toxinclinic.messaging.channels import FileChannel, Outgoing
    from toxinclinic.messaging.models import Message, Status
    from toxinclinic.messaging.services import queue_message

    n = 40 if quick else 400
    out = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(out / "o")},
        }
    }
    clinic = Clinic.objects.create(name="Bench clinic", phone="+1 212 555 0100")
    nurse = User.objects.create(username="bench-nurse", role=Role.NURSE, clinic=clinic)
    for i in range(n):
        queue_message(
            clinic_id=clinic.pk, kind="bench", key=f"bench:{i}", channel="sms", recipient_user=nurse,
            address="+1 212 555 0142", subject="s", body="Your appointment is tomorrow at 9:00.",
        )  # fmt: skip
    t0 = time.perf_counter()
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)
    worker_s = time.perf_counter() - t0
    sent = Message.objects.filter(kind="bench", status=Status.SENT).count()
    assert sent == n, f"only {sent} of {n} sent"

    bare = FileChannel("sms", directory=str(out / "b"))
    t0 = time.perf_counter()
    for i in range(n):
        bare.deliver(Outgoing(f"bench:{i}", "+1 212 555 0142", "s", "Your appointment is tomorrow at 9:00."))
    bare_s = time.perf_counter() - t0
    return [
        BenchResult(
            name=f"outbox: {n} messages through one db_worker (file channel, SQLite)",
            figure=n / worker_s,
            unit="messages/s",
            baseline_name="bare file channel, same messages",
            baseline=n / bare_s,
            higher_is_better=True,
        )
    ]

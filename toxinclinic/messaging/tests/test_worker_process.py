"""Real ``manage.py db_worker`` processes deliver the outbox: through a channel that fails twice (delivered
once, three attempts), and after a worker is killed mid-send (still delivered exactly once).

The worker is a separate process, so it needs a database it can open: on PostgreSQL the test database
itself; on SQLite (an in-memory test database) a file copy made with SQLite's backup API, copied back
after the workers stop so the assertions read what the workers wrote.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from toxinclinic.messaging import services
from toxinclinic.messaging.channels import key_filename
from toxinclinic.messaging.models import Message, Outcome, Status

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[tuple[str, Callable[[str, int], str | None]]]:
    """(DATABASE_URL for a subprocess, a function reading one column of one message row)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

        def read(column: str, pk: int) -> str | None:
            row = Message.objects.filter(pk=pk).values_list(column, flat=True).first()
            return None if row is None else str(row)

        yield url, read
        return
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as dst:
        connection.connection.backup(dst)

    def read_file(column: str, pk: int) -> str | None:
        with sqlite3.connect(path, timeout=5) as db:
            row = db.execute(f"SELECT {column} FROM messaging_message WHERE id = ?", (pk,)).fetchone()  # noqa: S608
        return None if row is None else str(row[0])

    try:
        yield f"sqlite:///{path}", read_file
    finally:
        src = sqlite3.connect(path)
        src.backup(connection.connection)
        src.close()


def start_worker(
    db_url: str, channel: str, directory: Path, log: Path, **extra_env: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **extra_env,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "toxinclinic.messaging.tests.worker_settings",
        "TC_TEST_CHANNEL": channel,
        "TC_TEST_DIR": str(directory),
    }
    cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1",
           "--no-reload", "--no-startup-delay", "-v", "2"]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


@pytest.fixture
def channels(settings: Any, tmp_path: Path) -> Path:
    directory = tmp_path / "sms"
    settings.TOXINCLINIC_MESSAGING_CHANNELS = {
        "sms": {
            "BACKEND": "toxinclinic.messaging.channels.FileChannel",
            "OPTIONS": {"directory": str(directory)},
        }
    }
    settings.TOXINCLINIC_MESSAGING_SWEEP_SECONDS = 1
    return directory


def _queue(world: Any, key: str) -> Message:
    return services.queue_message(
        clinic_id=world.clinic.pk, kind="urgent_report", key=key, channel="sms",
        recipient_user=world.user("nurse"), address="+1 555 0100",
        subject="Urgent report waiting", body="Open the triage queue.",
    )  # fmt: skip


def delivered_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*.txt"))


def test_worker_retries_a_failing_channel_and_delivers_once(
    world: Any, channels: Path, tmp_path: Path
) -> None:
    msg = _queue(world, "urgent:flaky")
    log = tmp_path / "worker.log"
    with shared_database(tmp_path) as (url, read):
        worker = start_worker(url, "toxinclinic.messaging.tests.channels.FlakyFileChannel", channels, log)
        try:
            wait_for(lambda: read("status", msg.pk) == Status.SENT, "the message to be sent")
        finally:
            stop(worker)
    msg.refresh_from_db()
    assert msg.status == Status.SENT and msg.attempt_count == 3, log.read_text()[-2000:]
    assert [a.outcome for a in msg.attempts.all()] == [Outcome.FAILED, Outcome.FAILED, Outcome.SENT]
    assert all("Simulated outage" in a.error for a in msg.attempts.all()[:2])
    assert delivered_files(channels) == [key_filename("urgent:flaky")]
    assert (channels / (key_filename("urgent:flaky") + ".tries")).read_text() == "3"


@pytest.mark.parametrize("where", ["before", "after"])
def test_worker_killed_mid_send_then_restarted_delivers_exactly_once(
    world: Any, channels: Path, tmp_path: Path, where: str
) -> None:
    """Killed while waiting inside the channel, before or after the message file was written."""
    channels.mkdir(parents=True)
    (channels / f"pause-{where}").write_text("")
    msg = _queue(world, f"urgent:kill-{where}")
    log = tmp_path / "worker.log"
    pausing = "toxinclinic.messaging.tests.channels.PausingFileChannel"
    with shared_database(tmp_path) as (url, read):
        first = start_worker(url, pausing, channels, log)
        try:
            wait_for(lambda: (channels / "started").exists(), "the first worker to start sending")
            assert read("status", msg.pk) == Status.SENDING
        finally:
            stop(first, signal.SIGKILL)
        assert first.returncode == -signal.SIGKILL
        assert delivered_files(channels) == ([key_filename(msg.idempotency_key)] if where == "after" else [])
        second = start_worker(url, pausing, channels, log)
        try:
            wait_for(lambda: read("status", msg.pk) == Status.SENT, "the restarted worker to finish it")
        finally:
            stop(second)
    msg.refresh_from_db()
    outcomes = [a.outcome for a in msg.attempts.all()]
    if where == "after":
        assert outcomes == [Outcome.INTERRUPTED, Outcome.ALREADY], log.read_text()[-2000:]
    else:
        assert outcomes == [Outcome.INTERRUPTED, Outcome.SENT], log.read_text()[-2000:]
    assert delivered_files(channels) == [key_filename(msg.idempotency_key)]
    assert msg.status == Status.SENT and msg.sent_at is not None


@pytest.mark.parametrize("threads", ["1", "4"])
def test_worker_killed_mid_batch_then_restarted_delivers_each_message_exactly_once(
    world: Any, channels: Path, tmp_path: Path, threads: str
) -> None:
    """30 messages in one batch; the worker is killed -9 after the 10th file is written (one file at a time,
    or four at once), before the batch's outcomes are recorded. The next worker finds every attempt cut off,
    asks the channel, and finishes each message once: the delivered ones are not written again."""
    channels.mkdir(parents=True)
    (channels / "pause-at").write_text("")
    msgs = [_queue(world, f"urgent:batch-{i:02d}") for i in range(30)]
    log = tmp_path / "worker.log"
    pausing = "toxinclinic.messaging.tests.channels.PauseAtFileChannel"
    env = {"TC_TEST_THREADS": threads, "TC_TEST_PAUSE_AT": "10"}
    with shared_database(tmp_path) as (url, read):
        first = start_worker(url, pausing, channels, log, **env)
        try:
            wait_for(lambda: (channels / "started").exists(), "the first worker to pause mid-batch")
            assert [read("status", m.pk) for m in msgs] == [Status.SENDING] * 30, log.read_text()[-3000:]
        finally:
            stop(first, signal.SIGKILL)
        written_before = set(delivered_files(channels))
        assert (10 <= len(written_before) < 30) or threads != "1"
        second = start_worker(url, pausing, channels, log, **env)
        try:
            wait_for(
                lambda: all(read("status", m.pk) == Status.SENT for m in msgs),
                "the restarted worker to finish",
            )
        finally:
            stop(second)
    assert delivered_files(channels) == sorted(key_filename(m.idempotency_key) for m in msgs)
    for m in msgs:
        m.refresh_from_db()
        outcomes = [a.outcome for a in m.attempts.all()]
        expected = Outcome.ALREADY if key_filename(m.idempotency_key) in written_before else Outcome.SENT
        assert outcomes == [Outcome.INTERRUPTED, expected], (
            m.idempotency_key,
            outcomes,
            log.read_text()[-2000:],
        )
        assert m.status == Status.SENT and m.attempt_count == 2
    if threads == "1":
        assert len(written_before) == 10

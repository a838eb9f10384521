"""Channels for the tests: real files, with an outage or a pause that the test controls from outside."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from toxinclinic.messaging.channels import DeliveryError, FileChannel, Outgoing, key_filename


class FlakyFileChannel(FileChannel):
    """Fails the first ``fail_times`` deliveries of each key (counted in a file, so across processes)."""

    def deliver(self, msg: Outgoing) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        counter = self.directory / (key_filename(msg.key) + ".tries")
        tries = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(tries))
        if tries <= int(self.options.get("fail_times", 2)):
            raise DeliveryError(f"Simulated outage (try {tries})")
        return super().deliver(msg)


class PausingFileChannel(FileChannel):
    """While ``<directory>/pause-before`` or ``pause-after`` exists, the next delivery consumes it, writes
    ``<directory>/started`` and waits there (before or after writing the message) until the test kills
    the worker."""

    def _pause(self, which: str) -> None:
        flag = self.directory / f"pause-{which}"
        if flag.exists():
            flag.unlink()
            (self.directory / "started").write_text(which)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (self.directory / "release").exists():
                time.sleep(0.05)

    def deliver(self, msg: Outgoing) -> str:
        Path(self.directory).mkdir(parents=True, exist_ok=True)
        self._pause("before")
        result = super().deliver(msg)
        self._pause("after")
        return result


class PauseAtFileChannel(FileChannel):
    """Counts deliveries (in ``<directory>/count``); while ``<directory>/pause-at`` exists, the delivery that
    makes the count ``pause_at`` writes its file, then ``started``, and waits there until the test kills the
    worker: a kill in the middle of a batch."""

    _lock = threading.Lock()

    def deliver(self, msg: Outgoing) -> str:
        result = super().deliver(msg)
        with self._lock:
            counter = self.directory / "count"
            n = int(counter.read_text()) + 1 if counter.exists() else 1
            counter.write_text(str(n))
            flag = self.directory / "pause-at"
            pause = n == int(self.options.get("pause_at", 0)) and flag.exists()
            if pause:
                flag.unlink()
        if pause:
            (self.directory / "started").write_text(str(n))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.05)
        return result


class StealingChannel(FileChannel):
    """A channel that cannot check delivery (like SMTP); while it sends ``k-1``, another worker takes over
    ``k-2`` (its claim token changes), as when a slow server lets the batch's lease run out."""

    can_check_delivery = False
    sent: list[str] = []

    def deliver(self, msg: Outgoing) -> str:
        from toxinclinic.messaging.models import Message

        if msg.key == "k-1":
            Message.objects.filter(idempotency_key="k-2").update(claim_token="another-worker")
        StealingChannel.sent.append(msg.key)
        return super().deliver(msg)

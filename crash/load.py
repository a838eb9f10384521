"""Client threads and a killer thread for the crash tests, and what they saw."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Seen:
    """Every answer the clients got, by status (0: no HTTP answer) and the moments of the failures."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # answers that were not clean
    failed_at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int, error: str = "", problem: str = "") -> None:
        with self.lock:
            self.statuses[status] += 1
            if error:
                self.errors[error] += 1
            if status == 0 or status >= 500:
                self.failed_at.append(time.monotonic())
            if problem:
                self.bad.append(problem)

    def summary(self) -> dict[str, Any]:
        return {"statuses": dict(sorted(self.statuses.items())), "errors": dict(self.errors)}


def run_threads(fns: list[Callable[[], None]]) -> None:
    """Run each function in a thread; re-raise the first exception any of them raised."""
    raised: list[BaseException] = []

    def guard(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # reported in the test's thread below
            raised.append(exc)

    threads = [threading.Thread(target=guard, args=(f,), daemon=True) for f in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if raised:
        raise raised[0]


class Killer(threading.Thread):
    """Calls ``action()`` ``times`` times, every ``every`` seconds once ``ready()`` says so; stops early when
    ``stop`` is set. ``kills`` counts what was done."""

    def __init__(
        self, action: Callable[[], Any], *, every: float, times: int, ready: Callable[[], bool]
    ) -> None:
        super().__init__(daemon=True)
        self.action, self.every, self.times, self.ready = action, every, times, ready
        self.stop = threading.Event()
        self.kills: list[Any] = []

    def run(self) -> None:
        while not self.stop.is_set() and not self.ready():
            time.sleep(0.05)
        while not self.stop.is_set() and len(self.kills) < self.times:
            self.kills.append(self.action())
            self.stop.wait(self.every)


def drain_tasks(app: Any, timeout: float = 240) -> dict[str, Any]:
    """Wait until no task is due or running; none may have FAILED. Returns the counts by status, and how
    many tasks ran more than once (a task a killed worker held runs again: the lease's job)."""
    from crash.harness import wait_until

    code = (
        "from django_tasks_db.models import DBTaskResult\n"
        "from django.db.models import Count\n"
        "out = {s['status']: s['n'] for s in DBTaskResult.objects.values('status').annotate(n=Count('id'))}\n"
        "out['due'] = DBTaskResult.objects.ready().count()\n"
        "ids = DBTaskResult.objects.values_list('worker_ids', flat=True)\n"
        "out['reruns'] = sum(1 for w in ids if len(w) > 1)\n"
        "failed = DBTaskResult.objects.filter(status='FAILED')\n"
        "out['failed'] = list(failed.values_list('task_path', 'traceback')[:3])"
    )
    got = wait_until(
        lambda: (c := app.py(code)) and not c["due"] and not c.get("RUNNING") and c, timeout,
        "the task queue to drain", every=2,
    )  # fmt: skip
    assert not got.get("FAILED"), got["failed"]
    return {k: v for k, v in got.items() if k != "failed"}

"""Tasks the worker tests queue: each appends to a log file, so what ran (and how often) is read from disk,
independently of the task table the worker writes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from django.db import OperationalError
from django_tasks import task

from toxinclinic.tasklease.policy import TransientTaskError


def _log(log: str, line: str) -> None:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{line} {os.getpid()} {time.time():.3f}\n")


@task()
def wait_for_file(log: str, name: str, release: str) -> str:
    """Starts, then waits (up to 60 s) until the file ``release`` exists."""
    _log(log, f"start {name}")
    deadline = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    _log(log, f"done {name}")
    return "done"


@task()
def sleep_for(log: str, name: str, seconds: float) -> str:
    _log(log, f"start {name}")
    time.sleep(seconds)
    _log(log, f"done {name}")
    return "done"


@task()
def fail_locked(log: str, name: str, succeed_on: int = 0) -> str:
    """Raises "database is locked" (transient) on every try, or until try ``succeed_on``."""
    before = Path(log).read_text().splitlines() if Path(log).exists() else []
    tries = 1 + sum(1 for line in before if line.startswith(f"try {name} "))
    _log(log, f"try {name}")
    if succeed_on and tries >= succeed_on:
        return "done"
    raise OperationalError("database is locked")


@task()
def fail_for_good(log: str, name: str) -> str:
    _log(log, f"try {name}")
    raise ValueError("the chart has no such visit")


@task()
def run_child(log: str, name: str) -> str:
    """Runs a child, as narration runs espeak-ng; a child killed by a signal is a transient failure."""
    again = Path(log).exists() and f"killed {name}" in Path(log).read_text()
    _log(log, f"start {name}")
    done = subprocess.run(["sleep", "0.1" if again else "30"], check=False)
    if done.returncode < 0:
        _log(log, f"killed {name}")
        raise TransientTaskError(f"sleep was stopped ({done.returncode})")
    _log(log, f"done {name}")
    return "done"

"""The SQLite write turn: writers take turns for the database's single write lock, in and across processes.

SQLite admits one writer at a time anyway; without a turn, a writer that finds the database busy sleeps in
SQLite's busy handler (1, 2, 5, 10 … ms steps) and under load the tail latency balloons. A thread lock plus
an ``flock`` on a file beside the database wake the next writer as soon as the last one commits.
PostgreSQL locks rows, so there :func:`write_turn` does nothing. Used by the diary's saves and by the
background refresh of its verdicts (anything that writes in a hot path on SQLite may join).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not on Windows: fall back to SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

from django.db import connection

_THREADS = threading.RLock()
_LOCK_FILES: dict[str, int] = {}
_TURN = threading.local()


def _lock_file() -> int | None:
    """A file beside the SQLite database whose ``flock`` the writers of every process queue on."""
    if fcntl is None:
        return None
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    fd = _LOCK_FILES.get(name)
    if fd is None:
        # The name predates this module (the diary's writers were the first to take turns); kept so a
        # server restarted mid-upgrade still queues on the same file.
        fd = _LOCK_FILES[name] = os.open(name + ".diary-writes", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


@contextmanager
def write_turn() -> Iterator[None]:
    """Hold the SQLite write turn for the block (re-entrant; a no-op on other databases)."""
    if connection.vendor != "sqlite":
        yield
        return
    with _THREADS:
        depth = getattr(_TURN, "depth", 0)
        fd = _lock_file() if depth == 0 else None  # a nested block already holds the file lock
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        _TURN.depth = depth + 1
        try:
            yield
        finally:
            _TURN.depth = depth
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


def holding_turn() -> bool:
    """Whether this thread holds the write turn (for tests and assertions)."""
    return getattr(_TURN, "depth", 0) > 0

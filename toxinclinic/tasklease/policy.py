"""Which failures are retried, how long to wait before the next try, and what the running task may ask.

A transient failure is one that goes away by itself: a killed child process, a busy or unreachable database,
a mail server that is down or says "try later". Those are retried with exponential back-off. Anything else
(a bug, missing data) fails at once, because running it again gives the same error.
"""

from __future__ import annotations

import contextvars
import random
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError


class TransientTaskError(Exception):
    """Raise from a task to say: this attempt failed for a passing reason, try again later."""

    transient = True


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying; follows ``raise ... from`` causes (an error wrapping a timeout)."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if getattr(e, "transient", False):
            return True
        if isinstance(e, OperationalError | InterfaceError | ConnectionError | TimeoutError):
            return True
        if isinstance(e, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
            return True
        if isinstance(e, smtplib.SMTPResponseException) and 400 <= e.smtp_code < 500:
            return True  # 4xx: the mail server asks to try again later
        e = e.__cause__ or e.__context__
    return False


@dataclass(frozen=True)
class Limits:
    """Seconds: how long a claim lasts unless renewed, the first retry's wait and the longest wait."""

    lease_seconds: float
    max_failures: int
    retry_base_seconds: float
    retry_max_seconds: float

    @classmethod
    def from_settings(cls) -> Limits:
        conf = getattr(settings, "TASK_LEASE", {})
        return cls(
            lease_seconds=float(conf.get("LEASE_SECONDS", 60)),
            max_failures=int(conf.get("MAX_FAILURES", 5)),
            retry_base_seconds=float(conf.get("RETRY_BASE_SECONDS", 10)),
            retry_max_seconds=float(conf.get("RETRY_MAX_SECONDS", 900)),
        )

    def backoff_seconds(self, failures: int) -> float:
        """Wait after the ``failures``-th failure: base, 2x base, 4x base ... capped, plus up to 25 % jitter
        so tasks that failed together (a database restart) do not all retry in the same second."""
        delay = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, failures - 1))
        return delay * (1 + 0.25 * random.random())


@dataclass(frozen=True)
class Attempt:
    """What a running task may know about its own run (``current_attempt()``)."""

    task_id: str
    number: int  # 1 for the first claim; every claim counts, also one cut short by a stop
    failures_before: int
    max_failures: int

    @property
    def is_last(self) -> bool:
        """True when another transient failure will not be retried: the task should then say it failed."""
        return self.failures_before + 1 >= self.max_failures


_attempt: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar("task_attempt", default=None)


def current_attempt() -> Attempt | None:
    """The attempt running now in this worker, or None outside one (a direct call, the immediate backend)."""
    return _attempt.get()


@contextmanager
def running(attempt: Attempt) -> Iterator[None]:
    token = _attempt.set(attempt)
    try:
        yield
    finally:
        _attempt.reset(token)

"""Messaging policy values, read from Django settings at call time (so tests can override them).

- ``TOXINCLINIC_MESSAGING_CHANNELS``: ``{name: {"BACKEND": dotted path, "OPTIONS": {...}}}``.
- ``TOXINCLINIC_MESSAGING_MAX_ATTEMPTS`` (default 5): attempts before a message is marked failed.
- ``TOXINCLINIC_MESSAGING_RETRY_SECONDS`` (default 30): first retry delay in seconds; doubles per attempt.
- ``TOXINCLINIC_MESSAGING_RETRY_MAX_SECONDS`` (default 3600): longest delay between two attempts.
- ``TOXINCLINIC_MESSAGING_LEASE_SECONDS`` (default 120): how long a worker owns a message it is sending;
  after that another worker may take it over (the first one died).
- ``TOXINCLINIC_MESSAGING_SWEEP_SECONDS`` (default 30): how often the sweep looks for due escalation
  steps and for messages whose worker died.
- ``TOXINCLINIC_ESCALATION_MINUTES`` (default 15): default minutes before the next on-call contact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings


def channels() -> dict[str, dict[str, Any]]:
    return dict(getattr(settings, "TOXINCLINIC_MESSAGING_CHANNELS", {}))


def max_attempts() -> int:
    return int(getattr(settings, "TOXINCLINIC_MESSAGING_MAX_ATTEMPTS", 5))


def retry_delay(attempt: int) -> dt.timedelta:
    """Delay after failed attempt number ``attempt`` (1-based): base * 2^(attempt-1), capped."""
    base = float(getattr(settings, "TOXINCLINIC_MESSAGING_RETRY_SECONDS", 30))
    cap = float(getattr(settings, "TOXINCLINIC_MESSAGING_RETRY_MAX_SECONDS", 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "TOXINCLINIC_MESSAGING_LEASE_SECONDS", 120)))


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "TOXINCLINIC_MESSAGING_SWEEP_SECONDS", 30)))


def default_escalation_minutes() -> int:
    return int(getattr(settings, "TOXINCLINIC_ESCALATION_MINUTES", 15))


def batch_size() -> int:
    """``TOXINCLINIC_MESSAGING_BATCH_SIZE`` (default 50): due messages one worker claims at a time."""
    return max(1, int(getattr(settings, "TOXINCLINIC_MESSAGING_BATCH_SIZE", 50)))

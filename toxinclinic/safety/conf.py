"""Safety-app policy values, read from Django settings at call time (so tests can override them).

- ``TOXINCLINIC_CHECKIN_DAYS`` (default ``(3, 14)``): days after an injection when a check-in falls due.
- ``TOXINCLINIC_CHECKIN_OPEN_DAYS`` (default 7): days a check-in stays open after it falls due.
- ``TOXINCLINIC_CHECKIN_REMINDER_HOUR`` (default 9): local hour on the due day for the reminder e-mail.
"""

from __future__ import annotations

from django.conf import settings


def check_in_days() -> tuple[int, ...]:
    days = tuple(int(d) for d in getattr(settings, "TOXINCLINIC_CHECKIN_DAYS", (3, 14)))
    if any(d < 0 for d in days):
        raise ValueError("TOXINCLINIC_CHECKIN_DAYS: days after injection cannot be negative")
    return tuple(sorted(set(days)))


def check_in_open_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_CHECKIN_OPEN_DAYS", 7))


def check_in_reminder_hour() -> int:
    return int(getattr(settings, "TOXINCLINIC_CHECKIN_REMINDER_HOUR", 9))

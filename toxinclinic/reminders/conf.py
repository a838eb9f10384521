"""Reminder policy from Django settings, read at call time (tests override them).

- ``TOXINCLINIC_REMINDERS_SWEEP_SECONDS`` (default 3600): how often the sweep looks for windows that
  opened, diary gaps and questionnaires due (each fact is messaged once, whatever the interval).
- ``TOXINCLINIC_REMINDERS_SEND_AT`` (default "09:00"): the clinic's local time a reminder about a day
  goes out (a window that opens today is announced then, not at midnight).
- ``TOXINCLINIC_REMINDERS_LOOKBACK_DAYS`` (default 7): facts older than this are not announced late (a
  window that opened last month is no news; a restarted clinic does not send a backlog).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "TOXINCLINIC_REMINDERS_SWEEP_SECONDS", 3600)))


def send_at() -> dt.time:
    return dt.time.fromisoformat(str(getattr(settings, "TOXINCLINIC_REMINDERS_SEND_AT", "09:00")))


def lookback_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_REMINDERS_LOOKBACK_DAYS", 7))


def diary_gap_days(clinic: object) -> int:
    from toxinclinic.reminders.models import ReminderSettings

    row = ReminderSettings.objects.filter(clinic=clinic).values_list("diary_gap_days", flat=True).first()
    return 3 if row is None else int(row)

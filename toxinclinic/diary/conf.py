"""Diary policy values, read from Django settings at call time (tests may override them).

- ``TOXINCLINIC_DIARY_BACKFILL_DAYS`` (default 14): how many days back a patient may fill in or change a day.
- ``TOXINCLINIC_HEADACHE_THRESHOLD_HOURS`` (default: the engine's 4 h): passed to ``classify_day``.
"""

from __future__ import annotations

from django.conf import settings

from toxinclinic.clinical.diary import DEFAULT_HEADACHE_THRESHOLD_HOURS


def backfill_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_DIARY_BACKFILL_DAYS", 14))


def headache_threshold_hours() -> float:
    return float(getattr(settings, "TOXINCLINIC_HEADACHE_THRESHOLD_HOURS", DEFAULT_HEADACHE_THRESHOLD_HOURS))

"""Re-treatment recall: every 12 weeks (84 days) after a session (clinical reference §3, §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ._common import check_date, check_int

DEFAULT_INTERVAL_DAYS = 84


@dataclass(frozen=True)
class RecallWindow:
    """``opens`` is the first day re-treatment is due (no sooner); ``due`` is the target date. With the
    default policy both are day 84 after ``last_session``."""

    last_session: date
    opens: date
    due: date
    interval_days: int

    def is_open(self, today: date) -> bool:
        return check_date(today, "today") >= self.opens

    def days_until_due(self, today: date) -> int:
        return (self.due - check_date(today, "today")).days


def recall_window(last_session_date: date, interval_days: int = DEFAULT_INTERVAL_DAYS) -> RecallWindow:
    """The recall window after ``last_session_date`` (interval configurable, default 84 days)."""
    check_date(last_session_date, "last_session_date")
    check_int(interval_days, "interval_days", 1, 365, "days")
    opens = last_session_date + timedelta(days=interval_days)
    return RecallWindow(last_session_date, opens, opens, interval_days)

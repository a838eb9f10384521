"""The coordinator's worklist rule: each patient's window state and urgency, with reasons.

Two parts, so the list can be sorted by an indexed column and still tell the truth on the day it is read:

* :func:`sort_key` is **time-invariant**: a tier (what kind of attention) and the date from which the patient
  needs it (``attention_on``). It changes only when a fact changes (a session, a booking, an authorization,
  a side effect, an outreach outcome), so it can be stored on write and indexed. Sorting by
  ``(tier, attention_on)`` puts the most overdue patient first on every day without rewriting a row.
* :func:`assess` is read at display time with ``today``: window state (too early, in the window, overdue),
  days overdue, authorization warnings, and the reasons in words.

Window (clinical reference §3–4): re-injection opens at the minimum interval after the last session
(default 84 days = 12 weeks, ``recall.DEFAULT_INTERVAL_DAYS``) and is overdue after a grace period
(default :data:`DEFAULT_GRACE_DAYS`, configurable). A patient with a booked injection appointment or an open
visit is never overdue: they are "booked".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ._common import check_date, check_int, fmt_date
from .recall import DEFAULT_INTERVAL_DAYS

#: Days after the window opens before a patient counts as overdue (clinic policy, configurable).
DEFAULT_GRACE_DAYS = 14
#: Warn this many days before an authorization expires (issue 15: "expiring within 30 days").
DEFAULT_AUTH_WARN_DAYS = 30
#: A 30-day diary with fewer recorded days than this is a gap (the engine's completeness rule:
#: 20 of 28 days, scaled to 30 days, rounded up).
DEFAULT_DIARY_MIN_DAYS_30 = 22

# Tiers: lower sorts first.
TIER_URGENT = 0  # an open urgent side effect: call first
TIER_ACTION = 1  # needs booking, or an authorization needs work
TIER_NEW = 2  # no session yet (first injection not given)
TIER_BOOKED = 3  # booked or visit open: nothing to do now
TIER_CLOSED = 4  # moved away, deceased, declined

STATES = ("no_session", "too_early", "in_window", "overdue", "booked", "closed")
STATE_LABELS = {
    "no_session": "No injection yet",
    "too_early": "Too early",
    "in_window": "In the window",
    "overdue": "Overdue",
    "booked": "Booked",
    "closed": "Not followed",
}


@dataclass(frozen=True)
class PatientFacts:
    """What the worklist knows of one patient (all dates in the clinic's calendar).

    ``auth_visits_left`` is None when no authorization is approved. ``closed`` is True when outreach ended
    the follow-up (moved away, deceased, declined)."""

    last_session_on: date | None
    booked: bool = False
    urgent_side_effect: bool = False
    auth_expires_on: date | None = None
    auth_visits_left: int | None = None
    closed: bool = False
    interval_days: int = DEFAULT_INTERVAL_DAYS
    grace_days: int = DEFAULT_GRACE_DAYS
    auth_warn_days: int = DEFAULT_AUTH_WARN_DAYS

    def __post_init__(self) -> None:
        if self.last_session_on is not None:
            check_date(self.last_session_on, "last_session_on")
        if self.auth_expires_on is not None:
            check_date(self.auth_expires_on, "auth_expires_on")
        if self.auth_visits_left is not None:
            check_int(self.auth_visits_left, "auth_visits_left", 0)
        check_int(self.interval_days, "interval_days", 1, 365, "days")
        check_int(self.grace_days, "grace_days", 0, 365, "days")
        check_int(self.auth_warn_days, "auth_warn_days", 0, 365, "days")

    @property
    def window_opens(self) -> date | None:
        return None if self.last_session_on is None else self.last_session_on + timedelta(self.interval_days)

    @property
    def overdue_from(self) -> date | None:
        """The first day the patient is overdue (window opens + grace)."""
        opens = self.window_opens
        return None if opens is None else opens + timedelta(self.grace_days)


@dataclass(frozen=True)
class SortKey:
    tier: int
    attention_on: date | None
    reasons: list[str] = field(default_factory=list)


def sort_key(f: PatientFacts, fmt: Callable[[date], str] = fmt_date) -> SortKey:
    """The stored urgency: ``(tier, attention_on)``, ascending; ``attention_on`` None sorts last in its tier.

    ``attention_on`` is the earliest of: the day the window opens (when not booked), the day an
    authorization starts warning (expiry − ``auth_warn_days``), and today-equivalent "now" for no visits
    left (represented by the window opening, since a visit is only needed then)."""
    if f.closed:
        return SortKey(TIER_CLOSED, None, ["follow-up ended by outreach"])
    dates: list[tuple[date, str]] = []
    opens = f.window_opens
    if opens is not None and not f.booked:
        dates.append((opens, f"window opens {fmt(opens)}"))
    if f.auth_expires_on is not None:
        warn = f.auth_expires_on - timedelta(f.auth_warn_days)
        dates.append((warn, f"authorization expires {fmt(f.auth_expires_on)}"))
    if f.auth_visits_left == 0 and opens is not None:
        # No visits left matters from the moment the next visit could be booked: before the window opens.
        warn = opens - timedelta(f.auth_warn_days)
        dates.append((warn, "no authorized visits left"))
    attention = min(dates)[0] if dates else None
    reasons = [why for _, why in sorted(dates)]
    if f.urgent_side_effect:
        return SortKey(TIER_URGENT, attention, ["open urgent side effect", *reasons])
    if f.last_session_on is None:
        return SortKey(TIER_NEW, attention, ["no injection yet", *reasons])
    if f.booked:
        # Booked patients still come forward when their authorization needs work.
        auth_dates = [d for d, why in dates if why.startswith(("authorization", "no authorized"))]
        tier = TIER_ACTION if f.auth_visits_left == 0 else TIER_BOOKED
        return SortKey(tier, min(auth_dates) if auth_dates else None, ["booked", *reasons])
    return SortKey(TIER_ACTION, attention, reasons)


@dataclass(frozen=True)
class Assessment:
    """The worklist's words for one patient on ``today``."""

    state: str
    label: str
    days_overdue: int
    days_until_window: int | None
    auth_expiring: bool
    no_visits_left: bool
    due_within: int | None
    reasons: list[str]


def window_state(f: PatientFacts, today: date) -> str:
    """One of :data:`STATES`. Booked or open visit wins over overdue (never shown as overdue)."""
    check_date(today, "today")
    if f.closed:
        return "closed"
    if f.booked:
        return "booked"
    if f.last_session_on is None:
        return "no_session"
    assert f.window_opens is not None and f.overdue_from is not None
    if today < f.window_opens:
        return "too_early"
    if today < f.overdue_from:
        return "in_window"
    return "overdue"


def assess(f: PatientFacts, today: date, fmt: Callable[[date], str] = fmt_date) -> Assessment:
    """Window state, days overdue and authorization warnings on ``today``, with reasons (dates written by
    ``fmt``: the app passes its clinic's format)."""
    state = window_state(f, today)
    reasons: list[str] = []
    opens = f.window_opens
    days_until = None if opens is None else (opens - today).days
    days_overdue = 0
    if state == "overdue":
        assert f.overdue_from is not None
        days_overdue = (today - f.overdue_from).days + f.grace_days
        reasons.append(f"overdue: the window opened {fmt(opens)}, {days_overdue} days ago")  # type: ignore[arg-type]
    elif state == "in_window":
        reasons.append(f"in the window since {fmt(opens)}")  # type: ignore[arg-type]
    elif state == "too_early":
        reasons.append(f"too early: the window opens {fmt(opens)} (in {days_until} days)")  # type: ignore[arg-type]
    elif state == "booked":
        reasons.append("an injection is booked or a visit is open")
    elif state == "no_session":
        reasons.append("no injection given yet")
    else:
        reasons.append("follow-up ended by outreach")
    expiring = (
        f.auth_expires_on is not None
        and state != "closed"
        and (f.auth_expires_on - today).days <= f.auth_warn_days
    )
    if expiring:
        assert f.auth_expires_on is not None
        left = (f.auth_expires_on - today).days
        reasons.append(
            f"authorization expired {fmt(f.auth_expires_on)}"
            if left < 0
            else f"authorization expires {fmt(f.auth_expires_on)} (in {left} days)"
        )
    no_left = f.auth_visits_left == 0 and state != "closed"
    if no_left:
        reasons.append("no authorized visits left")
    if f.urgent_side_effect and state != "closed":
        reasons.insert(0, "open urgent side effect: call the patient")
    return Assessment(
        state=state,
        label=STATE_LABELS[state],
        days_overdue=days_overdue,
        days_until_window=days_until,
        auth_expiring=expiring,
        no_visits_left=no_left,
        due_within=days_until if state in ("too_early", "in_window", "overdue") else None,
        reasons=reasons,
    )


def due_this_week_range(today: date) -> tuple[date, date]:
    """ "Due this week": the window opens from today through the next 7 days (inclusive); a patient whose
    window already opened and who is not yet overdue is due now, and counts too (see the app's filter)."""
    check_date(today, "today")
    return today, today + timedelta(days=7)


def diary_gap(days_recorded_30: int | None, min_days: int = DEFAULT_DIARY_MIN_DAYS_30) -> bool:
    """A diary gap: fewer than ``min_days`` of the last 30 days recorded (None = no diary at all)."""
    check_int(min_days, "min_days", 0, 30, "days")
    return days_recorded_30 is None or check_int(days_recorded_30, "days_recorded_30", 0, 30) < min_days

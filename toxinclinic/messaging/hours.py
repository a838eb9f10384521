"""Opening hours: is the clinic open at a moment, and when does it next open (pure Python, local time)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Period:
    weekday: int  # Monday 0 … Sunday 6
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Hours:
    periods: tuple[Period, ...]
    closed_dates: frozenset[dt.date]
    tz: dt.tzinfo

    @property
    def configured(self) -> bool:
        """No weekly hours set means the clinic has not said when it is open (treated as always open)."""
        return bool(self.periods)

    def _periods_on(self, day: dt.date) -> list[Period]:
        if day in self.closed_dates:
            return []
        return sorted((p for p in self.periods if p.weekday == day.weekday()), key=lambda p: p.opens)

    def is_open(self, moment: dt.datetime) -> bool:
        if not self.configured:
            return True
        local = moment.astimezone(self.tz)
        return any(p.opens <= local.time() < p.closes for p in self._periods_on(local.date()))

    def closes_at(self, moment: dt.datetime) -> dt.datetime | None:
        """End of the opening period ``moment`` falls in (None when closed or hours not set)."""
        local = moment.astimezone(self.tz)
        for p in self._periods_on(local.date()):
            if p.opens <= local.time() < p.closes:
                return dt.datetime.combine(local.date(), p.closes, tzinfo=self.tz)
        return None

    def next_opening(self, moment: dt.datetime, horizon_days: int = 60) -> dt.datetime | None:
        """The first opening strictly after ``moment`` within ``horizon_days`` (None: none found)."""
        if not self.configured:
            return None
        local = moment.astimezone(self.tz)
        for offset in range(horizon_days + 1):
            day = local.date() + dt.timedelta(days=offset)
            for p in self._periods_on(day):
                start = dt.datetime.combine(day, p.opens, tzinfo=self.tz)
                if start > local:
                    return start
        return None


def clinic_tz(clinic: object) -> dt.tzinfo:
    """The clinic's time zone when it has one (locale work), else the installation's."""
    name = getattr(clinic, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def build(periods: Iterable[tuple[int, dt.time, dt.time]], closed: Iterable[dt.date], tz: dt.tzinfo) -> Hours:
    return Hours(tuple(Period(w, o, c) for w, o, c in periods), frozenset(closed), tz)


def for_clinic(clinic: object, *, today: dt.date | None = None) -> Hours:
    from django.utils import timezone

    from toxinclinic.messaging.models import ClosedDay, OpeningHours

    today = today or timezone.localdate()
    periods = OpeningHours.objects.filter(clinic=clinic).values_list("weekday", "opens", "closes")
    closed = ClosedDay.objects.filter(
        clinic=clinic, date__gte=today - dt.timedelta(days=1), date__lte=today + dt.timedelta(days=62)
    ).values_list("date", flat=True)
    return build(periods, closed, clinic_tz(clinic))


def quiet_end(moment: dt.datetime, start: dt.time | None, end: dt.time | None, tz: dt.tzinfo) -> dt.datetime:
    """``moment`` if it is outside the quiet hours ``start``–``end`` (local times in ``tz``; the period may
    cross midnight, e.g. 21:00–08:00), else the moment they end. No start or end: no quiet hours."""
    if start is None or end is None or start == end:
        return moment
    local = moment.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:  # same day, e.g. 12:00–14:00
        if start <= t < end:
            return _local(local.date(), end, tz)
        return moment
    if t >= start:  # evening part: ends tomorrow morning
        return _local(local.date() + dt.timedelta(days=1), end, tz)
    if t < end:  # early-morning part: ends this morning
        return _local(local.date(), end, tz)
    return moment


def _local(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """A wall-clock time on ``day`` as an aware moment (a time skipped by a DST jump moves forward)."""
    naive = dt.datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # Round-trip through UTC: a non-existent local time (spring forward) lands on the real moment after.
    return aware.astimezone(dt.UTC).astimezone(tz)

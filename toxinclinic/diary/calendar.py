"""What the diary screens show: missing days, the month calendar, and the monthly trend rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from toxinclinic.clinical import diary as engine
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.diary.months import month_end, month_period, month_start, months_for, shift_month
from toxinclinic.diary.validation import earliest_allowed
from toxinclinic.patients.models import Patient


def missing_days(patient: Patient, today: dt.date | None = None) -> list[dt.date]:
    """Unrecorded days the patient may still fill in, newest first (today is not 'missing' yet)."""
    today = today or timezone.localdate()
    start = earliest_allowed(patient, today)
    have = set(
        DiaryEntry.objects.filter(patient=patient, date__range=(start, today)).values_list("date", flat=True)
    )
    out = []
    d = today - dt.timedelta(days=1)
    while d >= start:
        if d not in have:
            out.append(d)
        d -= dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class CalendarCell:
    date: dt.date
    in_month: bool
    entry: DiaryEntry | None
    injected: bool
    editable: bool
    future: bool
    before_enrolment: bool

    @property
    def css(self) -> str:
        if not self.in_month:
            return "out"
        if self.future or self.before_enrolment:
            return "na"
        if self.entry is None:
            return "missing"
        return self.entry.day_class


def month_calendar(
    patient: Patient,
    month: dt.date,
    injections: Iterable[dt.date] = (),
    *,
    editable: bool,
    today: dt.date | None = None,
) -> list[list[CalendarCell]]:
    """Weeks (Monday first) of the month, each day with its entry, injection mark and editability."""
    today = today or timezone.localdate()
    first, last = month_start(month), month_end(month)
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    entries = {e.date: e for e in DiaryEntry.objects.filter(patient=patient, date__range=(first, last))}
    inj = set(injections)
    earliest = earliest_allowed(patient, today)
    weeks: list[list[CalendarCell]] = []
    d = grid_start
    while d <= grid_end:
        week = []
        for _ in range(7):
            week.append(
                CalendarCell(
                    date=d,
                    in_month=first <= d <= last,
                    entry=entries.get(d),
                    injected=d in inj,
                    editable=editable and earliest <= d <= today,
                    future=d > today,
                    before_enrolment=d < patient.enrolled_on,
                )
            )
            d += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


def parse_month(value: str | None, today: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` to the first of that month; anything else (or a future month) means this month."""
    today = today or timezone.localdate()
    try:
        y, m = (int(x) for x in (value or "").split("-", 1))
        d = dt.date(y, m, 1)
    except ValueError:
        return month_start(today)
    return min(d, month_start(today)) if d.year >= 1900 else month_start(today)


@dataclass(frozen=True)
class TrendRow:
    month: dt.date
    headache_days: int | None
    migraine_days: int | None
    days_recorded: int
    days_in_period: int
    headache_per_30: float | None
    migraine_per_30: float | None
    sufficient: bool
    in_progress: bool
    cycle: int  # 0 = baseline (before the first injection), n = after the n-th injection (engine rule)


def trend_rows(
    patient: Patient, injections: Sequence[dt.date], today: dt.date | None = None
) -> list[TrendRow]:
    """One row per month from the first diary month (or enrolment) to this month, gaps included."""
    today = today or timezone.localdate()
    months = {m.month: m for m in months_for(patient) if m.days_recorded}
    # From the first month with diary data (the baseline); months before it are just "not started".
    first = min(months) if months else month_start(today)
    first = max(first, month_start(patient.enrolled_on))
    rows: list[TrendRow] = []
    m = first
    inj = sorted(injections)
    while m <= month_start(today):
        r = months.get(m)
        start, end = month_period(patient, m)
        rows.append(
            TrendRow(
                month=m,
                headache_days=r.headache_days if r else None,
                migraine_days=r.migraine_days if r else None,
                days_recorded=r.days_recorded if r else 0,
                days_in_period=(end - start).days + 1,
                headache_per_30=r.headache_days_per_30 if r else None,
                migraine_per_30=r.migraine_days_per_30 if r else None,
                sufficient=bool(r and r.sufficient),
                in_progress=m == month_start(today),
                cycle=engine.cycle_of_month(m, inj),
            )
        )
        m = shift_month(m, 1)
    return rows

"""``clinic_date``, ``clinic_datetime``, ``clinic_month``, ``clinic_phone`` and ``clinic_tel``: dates and
phone numbers the way the request's clinic writes them (see ``accounts.locale``). Loaded as builtins, so
every template has them without ``{% load %}``. An explicit clinic may be passed:
``{{ d|clinic_date:clinic }}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from toxinclinic.accounts import locale

register = template.Library()


@register.filter
def clinic_date(value: dt.date | dt.datetime | None, clinic: Any = None) -> str:
    return locale.format_date(value, clinic or None) if value else ""


@register.filter
def clinic_date_long(value: dt.date | None, clinic: Any = None) -> str:
    """ "March 12, 2026" (or "12 March 2026" in a day-first clinic)."""
    return locale.format_date(value, clinic or None, "long") if value else ""


@register.filter
def clinic_weekday(value: dt.date | None, clinic: Any = None) -> str:
    """ "Thu, Mar 12, 2026"."""
    return locale.format_date(value, clinic or None, "weekday") if value else ""


@register.filter
def clinic_day(value: dt.date | None, clinic: Any = None) -> str:
    """ "Thu, Mar 12" (no year: for days of the current month or week)."""
    return locale.format_date(value, clinic or None, "day") if value else ""


@register.filter
def clinic_day_month(value: dt.date | None, clinic: Any = None) -> str:
    """ "Mar 12"."""
    return locale.format_date(value, clinic or None, "day_month") if value else ""


@register.filter
def clinic_datetime(value: dt.datetime | None, clinic: Any = None) -> str:
    return locale.format_datetime(value, clinic or None) if value else ""


@register.filter
def clinic_time(value: dt.datetime | None, clinic: Any = None) -> str:
    return locale.format_time(value, clinic or None) if value else ""


@register.filter
def clinic_month(value: dt.date | None, clinic: Any = None) -> str:
    return locale.format_month(value, clinic or None) if value else ""


@register.filter
def clinic_phone(value: str | None, clinic: Any = None) -> str:
    return locale.format_phone(value, clinic or None)


@register.filter
def clinic_tel(value: str | None, clinic: Any = None) -> str:
    """The ``tel:`` href for a number (``+1…`` in North America)."""
    return locale.tel_href(value, clinic or None)

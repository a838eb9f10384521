"""A clinic's locale: its country, time zone, date format, phone format and emergency number.

Every screen, message and PDF formats dates and phone numbers through this module, so one clinic is
shown one way everywhere. The clinic of the current request is held in a context variable set by
:class:`ClinicLocaleMiddleware` (which also activates the clinic's time zone); code that renders outside a
request (a worker writing a PDF or a message) wraps the work in :func:`use_clinic`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class Country(models.TextChoices):
    US = "US", "United States"
    CA = "CA", "Canada"
    GB = "GB", "United Kingdom"
    IE = "IE", "Ireland"
    AU = "AU", "Australia"


class DateFormat(models.TextChoices):
    # Names of the form a person reads, not strftime patterns: the pattern lives in _DATE_PATTERNS.
    MONTH_DAY_YEAR = "month_day_year", "Mar 12, 2026"
    NUMERIC_US = "numeric_us", "03/12/2026"
    DAY_MONTH_YEAR = "day_month_year", "12 Mar 2026"
    NUMERIC_DAY_FIRST = "numeric_day_first", "12/03/2026"


class PhoneFormat(models.TextChoices):
    NANP = "nanp", "North American: (617) 555-0134"
    UK = "uk", "United Kingdom: 020 7946 0123"
    INTERNATIONAL = "international", "International: +61 2 5550 1234"


#: The zones a clinic can pick: the US zones first (the billing rules are CMS rules), then a few others.
TIME_ZONES: list[tuple[str, str]] = [
    ("America/New_York", "US Eastern (New York)"),
    ("America/Chicago", "US Central (Chicago)"),
    ("America/Denver", "US Mountain (Denver)"),
    ("America/Phoenix", "US Mountain, no daylight saving (Phoenix)"),
    ("America/Los_Angeles", "US Pacific (Los Angeles)"),
    ("America/Anchorage", "US Alaska (Anchorage)"),
    ("Pacific/Honolulu", "US Hawaii (Honolulu)"),
    ("America/Toronto", "Canada Eastern (Toronto)"),
    ("America/Vancouver", "Canada Pacific (Vancouver)"),
    ("Europe/London", "United Kingdom (London)"),
    ("Europe/Dublin", "Ireland (Dublin)"),
    ("Australia/Sydney", "Australia Eastern (Sydney)"),
]

DEFAULT_COUNTRY = Country.US
DEFAULT_TIME_ZONE = "America/New_York"
DEFAULT_DATE_FORMAT = DateFormat.MONTH_DAY_YEAR
DEFAULT_PHONE_FORMAT = PhoneFormat.NANP
DEFAULT_EMERGENCY_NUMBER = "911"

_DATE_PATTERNS = {
    DateFormat.MONTH_DAY_YEAR: "{mon} {d}, {y}",
    DateFormat.NUMERIC_US: "{mm}/{dd}/{y}",
    DateFormat.DAY_MONTH_YEAR: "{d} {mon} {y}",
    DateFormat.NUMERIC_DAY_FIRST: "{dd}/{mm}/{y}",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The US and Canada write times as 2:05 PM; the others use the 24-hour clock.
_TWELVE_HOUR = {Country.US, Country.CA}


@dataclass(frozen=True)
class ClinicLocale:
    country: str = DEFAULT_COUNTRY
    time_zone: str = DEFAULT_TIME_ZONE
    date_format: str = DEFAULT_DATE_FORMAT
    phone_format: str = DEFAULT_PHONE_FORMAT
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER

    @classmethod
    def of(cls, clinic: Any) -> ClinicLocale:
        if clinic is None:
            return cls()
        return cls(
            country=getattr(clinic, "country", "") or DEFAULT_COUNTRY,
            time_zone=getattr(clinic, "time_zone", "") or DEFAULT_TIME_ZONE,
            date_format=getattr(clinic, "date_format", "") or DEFAULT_DATE_FORMAT,
            phone_format=getattr(clinic, "phone_format", "") or DEFAULT_PHONE_FORMAT,
            emergency_number=getattr(clinic, "emergency_number", "") or DEFAULT_EMERGENCY_NUMBER,
        )

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


_current: contextvars.ContextVar[ClinicLocale | None] = contextvars.ContextVar("clinic_locale", default=None)


def current() -> ClinicLocale:
    """The locale of the clinic being served (the US defaults when no clinic is known)."""
    return _current.get() or ClinicLocale()


@contextlib.contextmanager
def use_clinic(clinic: Any) -> Iterator[ClinicLocale]:
    """Format as ``clinic`` does (and in its time zone) inside the block; for work done outside a request."""
    loc = ClinicLocale.of(clinic)
    token = _current.set(loc)
    try:
        with timezone.override(loc.tzinfo):
            yield loc
    finally:
        _current.reset(token)


def _loc(clinic: Any) -> ClinicLocale:
    return ClinicLocale.of(clinic) if clinic is not None else current()


_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_FIRST = {DateFormat.MONTH_DAY_YEAR, DateFormat.NUMERIC_US}


def format_date(value: dt.date | dt.datetime | None, clinic: Any = None, style: str = "short") -> str:
    """A calendar date in the clinic's format; a datetime is first moved to the clinic's time zone.

    ``style``: ``short`` ("Mar 12, 2026" or "03/12/2026", the clinic's setting), ``long`` ("March 12, 2026"),
    ``weekday`` ("Thu, Mar 12, 2026"), ``day`` ("Thu, Mar 12", no year) and ``day_month`` ("Mar 12").
    The longer styles spell the month, so they follow only the clinic's month-first or day-first order.
    """
    if value is None or value == "":
        return ""
    loc = _loc(clinic)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, loc.tzinfo) if timezone.is_aware(value) else value
    month_first = loc.date_format in _MONTH_FIRST
    mon, d, y = _MONTHS[value.month - 1], value.day, value.year
    if style == "long":
        return (
            f"{_MONTHS_LONG[value.month - 1]} {d}, {y}"
            if month_first
            else f"{d} {_MONTHS_LONG[value.month - 1]} {y}"
        )
    if style in ("weekday", "day", "day_month"):
        dm = f"{mon} {d}" if month_first else f"{d} {mon}"
        if style == "day_month":
            return dm
        wd = _WEEKDAYS[value.weekday()]
        if style == "day":
            return f"{wd}, {dm}" if month_first else f"{wd} {dm}"
        return f"{wd}, {dm}, {y}" if month_first else f"{wd} {dm} {y}"
    pattern = _DATE_PATTERNS.get(loc.date_format, _DATE_PATTERNS[DEFAULT_DATE_FORMAT])
    return pattern.format(d=d, dd=f"{d:02d}", mm=f"{value.month:02d}", mon=mon, y=y)


def format_time(value: dt.datetime | dt.time, clinic: Any = None) -> str:
    loc = _loc(clinic)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, loc.tzinfo)
    if loc.country in _TWELVE_HOUR:
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
    return f"{value.hour:02d}:{value.minute:02d}"


def format_datetime(value: dt.datetime | None, clinic: Any = None) -> str:
    """Date and time in the clinic's time zone and format ("Mar 12, 2026, 2:05 PM")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value, clinic)
    return f"{format_date(value, clinic)}, {format_time(value, clinic)}"


def format_month(value: dt.date, clinic: Any = None) -> str:
    """A month as people write it ("Mar 2026"), the same in every format."""
    return f"{_MONTHS[value.month - 1]} {value.year}"


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def format_phone(raw: str | None, clinic: Any = None) -> str:
    """A stored phone number written the clinic's way; a number that does not fit is shown as stored."""
    if not raw:
        return ""
    loc = _loc(clinic)
    digits = _digits(raw)
    if loc.phone_format == PhoneFormat.NANP:
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) == 10:
            return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    elif loc.phone_format == PhoneFormat.UK:
        if digits.startswith("44") and raw.strip().startswith("+"):
            digits = "0" + digits[2:]
        if len(digits) == 11 and digits.startswith("02"):
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        if len(digits) == 11:
            return f"{digits[:5]} {digits[5:]}"
    return raw.strip()


def tel_href(raw: str | None, clinic: Any = None) -> str:
    """The ``tel:`` link for a phone number in the clinic's country (+1 for North America)."""
    if not raw:
        return ""
    loc = _loc(clinic)
    digits = _digits(raw)
    if raw.strip().startswith("+"):
        return "tel:+" + digits
    if loc.phone_format == PhoneFormat.NANP and len(digits) == 10:
        return "tel:+1" + digits
    if loc.phone_format == PhoneFormat.UK and digits.startswith("0") and len(digits) > 4:
        return "tel:+44" + digits[1:]
    return "tel:" + digits


_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-]+$")
_PHONE_HELP = {
    PhoneFormat.NANP: "a 10-digit US number such as (617) 555-0134",
    PhoneFormat.UK: "an 11-digit UK number such as 020 7946 0123",
    PhoneFormat.INTERNATIONAL: "a number starting with + and the country code, such as +61 2 5550 1234",
}


def phone_example(clinic: Any = None) -> str:
    return _PHONE_HELP.get(_loc(clinic).phone_format, _PHONE_HELP[PhoneFormat.INTERNATIONAL])


def validate_phone(raw: str, clinic: Any = None) -> str:
    """The number cleaned of surrounding spaces, or a ValidationError saying what is wrong and what to
    enter. Letters (e.g. "555-CALL") and numbers of the wrong length for the clinic's format are refused."""
    value = (raw or "").strip()
    if not value:
        return ""
    want = phone_example(clinic)
    if not _PHONE_CHARS.match(value) or not value.isascii():
        raise ValidationError(
            "A phone number may contain only digits, spaces, brackets, dots, dashes and a leading +; "
            f"enter {want}."
        )
    digits = _digits(value)
    fmt = _loc(clinic).phone_format
    if fmt == PhoneFormat.NANP:
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10 or digits[0] in "01":
            raise ValidationError(f"{len(_digits(value))} digits is not a US phone number; enter {want}.")
    elif fmt == PhoneFormat.UK:
        if value.startswith("+44"):
            digits = "0" + digits[2:]
        if len(digits) != 11 or not digits.startswith("0"):
            raise ValidationError(f"{len(_digits(value))} digits is not a UK phone number; enter {want}.")
    elif not value.startswith("+") or not 8 <= len(digits) <= 15:
        raise ValidationError(f"This is not an international number; enter {want}.")
    return value


def validate_emergency_number(value: str) -> None:
    if not value.isascii() or not value.isdigit() or not 2 <= len(value) <= 6:
        raise ValidationError("The emergency number is 2 to 6 digits, such as 911.")


def validate_time_zone(value: str) -> None:
    if value not in dict(TIME_ZONES):
        raise ValidationError(f"{value!r} is not one of the time zones offered.")


class ClinicLocaleMiddleware:
    """Format every page as the signed-in user's clinic does, in the clinic's time zone.

    Anonymous pages (the login screen, public treatment pages) keep the installation defaults.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clinic = getattr(getattr(request, "user", None), "clinic", None)
        if clinic is None:
            return self.get_response(request)
        with use_clinic(clinic):
            return self.get_response(request)

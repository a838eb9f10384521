"""One locale per clinic: dates, times and phone numbers the clinic's way; its time zone on its pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from toxinclinic.accounts import locale
from toxinclinic.accounts.models import Clinic

US = Clinic(
    name="US", country="US", time_zone="America/New_York", date_format="month_day_year", phone_format="nanp"
)
US_NUM = Clinic(
    name="US2", country="US", time_zone="America/Chicago", date_format="numeric_us", phone_format="nanp"
)
UK = Clinic(
    name="UK", country="GB", time_zone="Europe/London", date_format="day_month_year", phone_format="uk"
)
D = dt.date(2026, 3, 12)
T = dt.datetime(2026, 3, 12, 3, 5, tzinfo=dt.UTC)  # 11:05 PM on Mar 11 in New York


def test_dates_and_times_in_each_clinics_format_and_zone() -> None:
    assert locale.format_date(D, US) == "Mar 12, 2026"
    assert locale.format_date(D, US_NUM) == "03/12/2026"
    assert locale.format_date(D, UK) == "12 Mar 2026"
    assert locale.format_date(D, US, "long") == "March 12, 2026"
    assert locale.format_date(D, US, "day") == "Thu, Mar 12"
    assert locale.format_date(D, UK, "weekday") == "Thu 12 Mar 2026"
    assert locale.format_datetime(T, US) == "Mar 11, 2026, 11:05 PM"
    assert locale.format_datetime(T, US_NUM) == "03/11/2026, 10:05 PM"
    assert locale.format_datetime(T, UK) == "12 Mar 2026, 03:05"


def test_phone_numbers_written_and_linked_the_clinics_way() -> None:
    assert locale.format_phone("617.555.0123", US) == "(617) 555-0123"
    assert locale.format_phone("+1 617 555 0123", US) == "(617) 555-0123"
    assert locale.tel_href("(617) 555-0123", US) == "tel:+16175550123"
    assert locale.format_phone("02079460123", UK) == "020 7946 0123"
    assert locale.tel_href("020 7946 0123", UK) == "tel:+442079460123"
    assert locale.format_phone("ext. 12", US) == "ext. 12"  # not a number it knows: shown as stored


@pytest.mark.parametrize(
    "raw, why",
    [
        ("555-CALL-NOW", "only digits"),
        ("(617) 555-O123", "only digits"),  # a letter O for a zero
        ("٦١٧٥٥٥٠١٢٣", "only digits"),  # Arabic-Indic digits: not ASCII
        ("555-0123", "7 digits is not a US phone number"),
        ("(017) 555-0123", "10 digits is not a US phone number"),
    ],
)
def test_a_us_clinic_refuses_letters_and_wrong_lengths(raw: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        locale.validate_phone(raw, US)


def test_valid_numbers_pass() -> None:
    assert locale.validate_phone(" (617) 555-0123 ", US) == "(617) 555-0123"
    assert locale.validate_phone("+1 617 555 0123", US) == "+1 617 555 0123"
    assert locale.validate_phone("020 7946 0123", UK) == "020 7946 0123"
    with pytest.raises(ValidationError, match="UK phone number"):
        locale.validate_phone("(617) 555-0123", UK)


def test_filters_take_the_clinic_of_the_request_or_an_explicit_one() -> None:
    t = Template("{{ d|clinic_date }} · {{ d|clinic_date:c }} · {{ p|clinic_phone }}")
    with locale.use_clinic(UK):
        assert (
            t.render(Context({"d": D, "c": US, "p": "02079460123"}))
            == "12 Mar 2026 · Mar 12, 2026 · 020 7946 0123"
        )
    assert (
        t.render(Context({"d": D, "c": UK, "p": "6175550123"}))
        == "Mar 12, 2026 · 12 Mar 2026 · (617) 555-0123"
    )


@pytest.mark.django_db
def test_the_clinics_time_zone_is_active_on_its_pages(world: Any, client_as: Any) -> None:
    from django.utils import timezone

    from toxinclinic.audit.services import log_action

    Clinic.objects.filter(pk=world.clinic.pk).update(time_zone="America/Los_Angeles")
    ev = log_action("chart.viewed", actor=world.user("nurse"), obj=world.patient, data={"what": "chart"})
    local = timezone.localtime(ev.at, locale.ClinicLocale(time_zone="America/Los_Angeles").tzinfo)
    page = client_as("admin").get("/audit/").content.decode()
    assert locale.format_datetime(local, Clinic(time_zone="America/Los_Angeles")) in page


@pytest.mark.django_db
def test_patient_phone_field_refuses_letters_in_the_form_and_the_api(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    r = c.post(
        f"/patients/{world.patient.public_id}/edit/",
        {
            "mrn": "A001",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "date_of_birth": "1985-03-14",
            "sex": "female",
            "phone": "555-CALL-ADA",
            "email": "ada@example.net",
            "enrolled_on": "2025-01-06",
            "version": world.patient.version,
        },
    )
    assert r.status_code in (200, 400) and "A phone number may contain only digits" in r.content.decode()
    world.patient.refresh_from_db()
    assert world.patient.phone == ""
    r = c.patch(
        f"/api/v1/patients/{world.patient.public_id}",
        data=json.dumps({"phone": "617-555-CALL", "version": world.patient.version}),
        content_type="application/json",
    )
    assert r.status_code in (400, 422) and "A phone number may contain only digits" in r.content.decode()
    r = c.patch(
        f"/api/v1/patients/{world.patient.public_id}",
        data=json.dumps({"phone": "(617) 555-0123", "version": world.patient.version}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    world.patient.refresh_from_db()
    assert world.patient.phone == "(617) 555-0123"


def test_choices_not_free_text() -> None:
    for name in ("country", "time_zone", "date_format", "phone_format"):
        assert Clinic._meta.get_field(name).choices, name
    with pytest.raises(ValidationError):
        Clinic(name="X", phone="1", time_zone="Mars/Olympus").clean_fields()
    with pytest.raises(ValidationError):
        Clinic(name="X", phone="1", emergency_number="nine").clean_fields()

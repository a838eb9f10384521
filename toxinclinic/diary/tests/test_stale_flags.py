"""Medication-overuse flags stored for months that are no longer the judged ones are brought up to date
without waiting for the patient to save a day: on the staff home screen, and in the background."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from toxinclinic.diary import panels, services
from toxinclinic.diary.models import DiaryStatus
from toxinclinic.diary.tests.helpers import overuse_diary, today

OLD_END = dt.date(2020, 1, 31)


def _make_stale(*patients: Any) -> None:
    """As if the verdicts were stored before the judged months moved on."""
    DiaryStatus.objects.filter(patient__in=patients).update(
        moh_end=OLD_END, moh_met=False, moh_status="not_met", moh_reasons=["old"]
    )


@pytest.mark.django_db
def test_home_screen_brings_a_stale_flag_up_to_date(client_as: Any, world: Any) -> None:
    overuse_diary(world.patient)
    _make_stale(world.patient)
    home = client_as("nurse").get("/home/").content.decode()
    assert "Possible medication overuse" in home and "Lovelace, Ada" in home
    st = DiaryStatus.objects.get(patient=world.patient)
    verdict = services.medication_overuse(world.patient)
    assert (st.moh_end, st.moh_met, st.moh_status) == (services.moh_end(today()), True, "met")
    assert st.moh_reasons == list(verdict.reasons)
    assert services.refresh_stale_moh(world.clinic.pk) == 0  # nothing left to do


@pytest.mark.django_db
def test_other_clinics_are_left_alone(world: Any) -> None:
    overuse_diary(world.other_patient)
    _make_stale(world.other_patient)
    assert services.refresh_stale_moh(world.clinic.pk) == 0
    assert DiaryStatus.objects.get(patient=world.other_patient).moh_end == OLD_END
    assert services.refresh_stale_moh(world.other_clinic.pk) == 1


@pytest.mark.django_db
def test_a_save_racing_the_refresh_wins(world: Any, monkeypatch: Any) -> None:
    overuse_diary(world.patient)
    _make_stale(world.patient)
    real = services._verdict_from_months

    def racing(*args: Any) -> Any:
        # A diary save lands after the refresh read the status: its verdict must not be overwritten.
        DiaryStatus.objects.filter(patient=world.patient).update(data_version=999, moh_reasons=["save"])
        return real(*args)

    monkeypatch.setattr(services, "_verdict_from_months", racing)
    assert services.refresh_stale_moh(world.clinic.pk) == 0
    assert DiaryStatus.objects.get(patient=world.patient).moh_reasons == ["save"]


@pytest.mark.django_db(transaction=True)
def test_the_rest_is_refreshed_by_the_worker(client_as: Any, world: Any, monkeypatch: Any) -> None:
    for p in (world.patient, world.patient2):
        overuse_diary(p)
    _make_stale(world.patient, world.patient2)
    monkeypatch.setattr(panels, "PANEL_REFRESH_LIMIT", 1)
    client_as("nurse").get("/home/")  # refreshes one, queues the rest
    assert DiaryStatus.objects.filter(moh_end=OLD_END).count() == 1
    call_command("db_worker", batch=True, queue_name="*", verbosity=0)
    assert not DiaryStatus.objects.filter(moh_end=OLD_END).exists()
    assert set(DiaryStatus.objects.values_list("moh_status", flat=True)) == {"met"}


@pytest.mark.django_db
def test_a_busy_database_does_not_break_the_home_screen(client_as: Any, world: Any, monkeypatch: Any) -> None:
    from django.db import OperationalError

    overuse_diary(world.patient)

    def busy(*args: Any, **kwargs: Any) -> int:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "refresh_stale_moh", busy)
    r = client_as("nurse").get("/home/")
    assert r.status_code == 200
    assert "Lovelace, Ada" in r.content.decode()  # the stored, current flag is still shown

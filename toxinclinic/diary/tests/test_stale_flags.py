"""Medication-overuse flags stored for months that are no longer the judged ones: the background task
brings them up to date; a page view never writes one, but shows what the stored counts give and queues
the task."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from toxinclinic.diary import overuse, services
from toxinclinic.diary.models import DiaryStatus
from toxinclinic.diary.tests.helpers import overuse_diary
from toxinclinic.testing import today

OLD_END = dt.date(2020, 1, 31)


def _make_stale(*patients: Any) -> None:
    """As if the verdicts were stored before the judged months moved on."""
    DiaryStatus.objects.filter(patient__in=patients).update(
        moh_end=OLD_END, moh_met=False, moh_status="not_met", moh_reasons=["old"]
    )


def _writes(queries: CaptureQueriesContext) -> list[str]:
    """The statements that change diary or audit rows (the task queue's own row is allowed)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_tasks" not in q["sql"]
    ]


@pytest.fixture(autouse=True)
def _no_queued_guard() -> Any:
    cache.clear()  # the one-queued-refresh-per-clinic guard must not leak between tests
    yield
    cache.clear()


@pytest.mark.django_db
def test_home_screen_shows_a_stale_flag_without_writing_and_queues_the_refresh(
    client_as: Any, world: Any
) -> None:
    overuse_diary(world.patient)
    _make_stale(world.patient)
    nurse = client_as("nurse")
    with CaptureQueriesContext(connection) as q:
        home = nurse.get("/home/").content.decode()
    # Judged from the stored month counts for the screen ...
    assert "Possible medication overuse" in home and "Lovelace, Ada" in home
    assert "ICHD-3 8.2 in the 3 months to" in home and ": 1." in home
    # ... but nothing of the diary written by the page view:
    assert _writes(q) == []
    st = DiaryStatus.objects.get(patient=world.patient)
    assert (st.moh_end, st.moh_reasons) == (OLD_END, ["old"])
    # The refresh is queued, once per clinic however often the screen is viewed.
    nurse.get("/home/")
    queued = DBTaskResult.objects.filter(task_path="toxinclinic.diary.tasks.refresh_moh_flags")
    assert queued.count() == 1 and queued.get().args_kwargs["args"] == [world.clinic.pk]


@pytest.mark.django_db
def test_staff_diary_screen_and_api_read_the_stored_verdict(client_as: Any, world: Any) -> None:
    overuse_diary(world.patient)
    stored = ["met, as stored"]
    # The screen words each stored month (its reasons, "2026-09: ..."); mark them as well as the summary.
    periods = DiaryStatus.objects.get(patient=world.patient).moh_periods
    assert len(periods) == 3
    marked = [{**p, "reasons": [f"{p['label']}: met, as stored"]} for p in periods]
    DiaryStatus.objects.filter(patient=world.patient).update(moh_reasons=stored, moh_periods=marked)
    clinician = client_as("clinician")
    page = clinician.get(f"/diary/patients/{world.patient.public_id}/").content.decode()
    assert page.count("<li>met, as stored</li>") == 3
    assert "Criteria for medication-overuse headache are met in each of the last 3 months." in page
    api = clinician.get(f"/api/v1/diary/patients/{world.patient.public_id}/summary").json()
    assert api["medication_overuse"]["reasons"] == stored
    assert [p["status"] for p in api["medication_overuse"]["periods"]] == ["met", "met", "met"]


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
    real = overuse.judge_stale

    def racing(*args: Any) -> Any:
        # A diary save lands after the refresh read the status: its verdict must not be overwritten.
        judged = real(*args)
        clean = services.validate_day(world.patient, today(), services.DayInput(headache=False))
        services.save_day(world.patient, clean, actor=None)
        return judged

    monkeypatch.setattr(overuse, "judge_stale", racing)
    version = DiaryStatus.objects.get(patient=world.patient).data_version
    assert services.refresh_stale_moh(world.clinic.pk) == 0
    st = DiaryStatus.objects.get(patient=world.patient)
    assert st.data_version == version + 1
    assert st.moh_end == services.moh_end(today())  # the save judged the current months itself
    verdict = services.medication_overuse(world.patient)
    assert (st.moh_status, st.moh_reasons) == ("met", list(verdict.reasons))


@pytest.mark.django_db(transaction=True)
def test_the_worker_refreshes_every_stale_flag(client_as: Any, world: Any) -> None:
    for p in (world.patient, world.patient2):
        overuse_diary(p)
    _make_stale(world.patient, world.patient2)
    client_as("nurse").get("/home/")  # queues the refresh, writes no verdict
    assert DiaryStatus.objects.filter(moh_end=OLD_END).count() == 2
    call_command("db_worker", batch=True, queue_name="*", verbosity=0)
    assert not DiaryStatus.objects.filter(moh_end=OLD_END).exists()
    for st in DiaryStatus.objects.filter(patient__in=[world.patient, world.patient2]):
        verdict = services.medication_overuse(st.patient)
        assert (st.moh_status, st.moh_reasons, st.moh_end) == (
            "met",
            list(verdict.reasons),
            services.moh_end(today()),
        )


@pytest.mark.django_db
def test_more_stale_verdicts_than_a_view_judges_are_said_to_be_pending(
    client_as: Any, world: Any, monkeypatch: Any
) -> None:
    from toxinclinic.diary import panels

    for p in (world.patient, world.patient2):
        overuse_diary(p)
    _make_stale(world.patient, world.patient2)
    monkeypatch.setattr(panels, "PANEL_JUDGE_LIMIT", 1)
    home = client_as("nurse").get("/home/").content.decode()
    assert "1 more patient" in home and "checked again in the background" in home


@pytest.mark.django_db
def test_a_busy_database_does_not_break_the_home_screen(client_as: Any, world: Any, monkeypatch: Any) -> None:
    from django.db import OperationalError

    from toxinclinic.diary import tasks

    overuse_diary(world.patient)
    _make_stale(world.patient)

    class Busy:
        def enqueue(self, *args: Any, **kwargs: Any) -> Any:
            raise OperationalError("database is locked")

    monkeypatch.setattr(tasks, "refresh_moh_flags", Busy())
    r = client_as("nurse").get("/home/")
    assert r.status_code == 200
    assert "Lovelace, Ada" in r.content.decode()  # judged from the stored counts all the same
    assert cache.add(f"diary:moh-refresh:{world.clinic.pk}", 1)  # not marked queued: the next view retries

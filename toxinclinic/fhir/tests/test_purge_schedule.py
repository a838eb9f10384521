"""Expired exports are removed on a schedule: the first kick-off starts one chain of purge tasks (one
``Ticker`` row), each run schedules its successor and removes expired files; a dead chain is replaced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from toxinclinic.fhir import export, housekeeping
from toxinclinic.fhir.models import ExportJob, ExportStatus
from toxinclinic.fhir.tasks import purge_expired_exports
from toxinclinic.fhir.tests.helpers import get_token, make_client
from toxinclinic.messaging.models import Ticker

pytestmark = pytest.mark.django_db

PATH = "toxinclinic.fhir.tasks.purge_expired_exports"


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=PATH, status="READY").order_by("run_after"))


def _finished_job(world: Any, client: Any, expires_at: dt.datetime) -> ExportJob:
    job = ExportJob.objects.create(
        clinic=world.clinic,
        client=client,
        level="system",
        types=["Patient"],
        request_url="x",
        transaction_time=timezone.now(),
        status=ExportStatus.DONE,
        output=[{"type": "Patient", "count": 1, "file": "Patient.ndjson"}],
        expires_at=expires_at,
    )
    folder = export.job_dir(job)
    folder.mkdir(parents=True)
    (folder / "Patient.ndjson").write_text("{}\n")
    return job


def test_the_first_kickoff_starts_one_chain(world: Any, client: Any, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    c, key = make_client(world.clinic)
    h = {"HTTP_AUTHORIZATION": f"Bearer {get_token(client, c, key)}", "HTTP_PREFER": "respond-async"}
    before = timezone.now()
    for _ in range(2):
        assert client.get("/fhir/R4/$export", {"_type": "Patient"}, **h).status_code == 202
    assert Ticker.objects.filter(name=housekeeping.TICKER).count() == 1
    [run] = _queued()
    assert run.run_after >= before + housekeeping.interval() - dt.timedelta(seconds=1)
    assert run.args_kwargs["args"] == [Ticker.objects.get(name=housekeeping.TICKER).next_run_at.isoformat()]


def test_a_run_schedules_its_successor_then_removes_expired_files(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    c, _ = make_client(world.clinic)
    now = timezone.now()
    old = _finished_job(world, c, now - dt.timedelta(minutes=1))
    fresh = _finished_job(world, c, now + dt.timedelta(minutes=30))
    assert housekeeping.ensure_ticking() is True
    assert housekeeping.ensure_ticking() is False  # alive: not a second chain
    [run] = _queued()
    slot = run.args_kwargs["args"][0]
    out = purge_expired_exports.call(slot)
    assert out == {"chain_kept": True, "purged": 1}
    assert not export.job_dir(old).exists() and export.job_dir(fresh).exists()
    old.refresh_from_db()
    assert old.status == ExportStatus.CANCELLED and old.output == [] and old.message == "expired"
    # The successor is queued for one interval on, the ticker moved to it.
    nxt = Ticker.objects.get(name=housekeeping.TICKER).next_run_at
    assert nxt.isoformat() != slot
    assert [r.args_kwargs["args"] for r in _queued()] == [[slot], [nxt.isoformat()]]
    # A stale run (a replaced chain's) purges but does not extend the chain.
    assert purge_expired_exports.call(slot) == {"chain_kept": False, "purged": 0}
    assert len(_queued()) == 2


def test_a_dead_chain_is_replaced(world: Any) -> None:
    assert housekeeping.ensure_ticking() is True
    Ticker.objects.filter(name=housekeeping.TICKER).update(
        next_run_at=timezone.now() - 4 * housekeeping.interval()
    )
    assert housekeeping.ensure_ticking() is True
    assert Ticker.objects.filter(name=housekeeping.TICKER).count() == 1
    assert len(_queued()) == 2

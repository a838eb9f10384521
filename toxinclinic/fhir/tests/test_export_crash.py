"""$export survives a real crash: a ``manage.py db_worker`` is SIGKILLed while a ``.part`` file is being
written; a new worker takes the task over (the lease re-queues it) and the job finishes. Checked on the
files and rows a client would see: the manifest appears only once every file is complete, every NDJSON
line parses and validates, no resource appears twice, and the task ran once at a time (two workers).

PostgreSQL only: the worker must see the test's rows. On SQLite the test database lives in memory, so a
worker process cannot open it (the lease tests copy it to a file, but then this test's own ORM checks would
read a different database than the worker writes)."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from toxinclinic.fhir import export
from toxinclinic.fhir.models import BackendClient, ExportJob, ExportStatus
from toxinclinic.fhir.resources import PATIENT_TYPES
from toxinclinic.tasklease.tests.harness import connect, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

#: Patients in the population: 38 resources each, enough for the export to take seconds.
PATIENTS = 1000


def _check_manifest(folder: Path, output: list[dict[str, Any]]) -> None:
    """A manifest may exist only when no file is half written and every listed file is whole."""
    assert not list(folder.glob("*.part")), "manifest written while a .part file exists"
    for o in output:
        with (folder / o["file"]).open("rb") as fh:
            assert sum(1 for _ in fh) == o["count"], o


def test_sigkilled_worker_mid_file_the_export_resumes_once_and_the_files_are_whole(
    tmp_path: Path, settings: Any, capsys: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a database a real db_worker process shares; SQLite's test database is in memory")
    from django_tasks_db.models import DBTaskResult

    from benchmarks.fhir_population import populate
    from toxinclinic.fhir.tasks import run_export

    settings.MEDIA_ROOT = tmp_path / "media"
    populate(PATIENTS, 1)
    capsys.readouterr()
    client = BackendClient.objects.get(name="bench")
    job = ExportJob.objects.create(
        clinic_id=client.clinic_id,
        client=client,
        level="system",
        types=PATIENT_TYPES,
        request_url="crash test",
        transaction_time=timezone.now(),
    )
    folder = export.job_dir(job)
    shared = connect(connection.settings_dict, connection, tmp_path)
    shared.env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    try:
        result = run_export.enqueue(str(job.public_id))
        a = shared.start_worker("--lease-seconds", "600")

        # Kill it while a type's file is half written (after at least one type is done, so the resume
        # has finished files to keep and a half one to start again).
        def half_written() -> bool:
            return bool(list(folder.glob("*.part"))) and bool(list(folder.glob("*.ndjson")))

        wait_until(half_written, 120, "the worker to be writing a .part file after a finished one")
        os.killpg(a.pid, signal.SIGKILL)
        a.wait(timeout=10)
        killed_at = timezone.now()
        assert list(folder.glob("*.part"))
        job.refresh_from_db()
        assert job.status == ExportStatus.RUNNING and job.output == []
        kept = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.ndjson")}
        assert kept
        # Two new workers: the holder's pid is gone, so the task is re-queued at once (a 600 s lease is
        # never waited out); exactly one of them may take it.
        shared.start_worker("--lease-seconds", "600")
        shared.start_worker("--lease-seconds", "600")
        deadline = time.monotonic() + 180
        while True:
            job.refresh_from_db()
            if job.output:
                _check_manifest(folder, job.output)
            if job.status in (ExportStatus.DONE, ExportStatus.FAILED) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        row = wait_until(
            lambda: DBTaskResult.objects.filter(pk=result.id, status__in=["SUCCESSFUL", "FAILED"]).first(),
            30,
            "the task's result",
        )
    finally:
        shared.stop_all()
    assert job.status == ExportStatus.DONE, (job.status, job.message)
    assert row.status == "SUCCESSFUL"
    # Run by the killed worker and then by exactly one other: never twice at once, never again after.
    assert len(row.worker_ids) == 2 and len(set(row.worker_ids)) == 2, row.worker_ids
    assert row.started_at >= killed_at
    # The types finished before the kill were kept, not written again.
    for name, mtime in kept.items():
        assert (folder / name).stat().st_mtime_ns == mtime, f"{name} was rewritten"
    _check_manifest(folder, job.output)
    # The population has no appointments, procedures or questionnaires: empty types are left out.
    assert [o["type"] for o in job.output] == [
        "Patient",
        "Condition",
        "AllergyIntolerance",
        "MedicationStatement",
        "Observation",
    ]
    models = {t: get_fhir_model_class(t) for t in PATIENT_TYPES}
    total = 0
    for o in job.output:
        ids: Counter[str] = Counter()
        with (folder / o["file"]).open() as fh:
            for line in fh:
                res = json.loads(line)
                assert res["resourceType"] == o["type"]
                models[o["type"]].model_validate(res)
                ids[res["id"]] += 1
        assert ids and max(ids.values()) == 1, f"{o['type']} has repeats"
        assert sum(ids.values()) == o["count"]
        total += o["count"]
    assert total == PATIENTS * 38

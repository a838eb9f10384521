"""Bulk Data $export end to end against the live server: kick-off, poll, manifest, download, every line
valid, cancel. On PostgreSQL a real ``db_worker`` process runs the job (it shares the test database); on
SQLite the test database is in memory and cannot be shared, so the same task runs in this process."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection
from fhir.resources.R4B import get_fhir_model_class

from toxinclinic.fhir.models import ExportJob, ExportStatus
from toxinclinic.fhir.tests.helpers import TOKEN_PATH, full_chart, make_client, token_form
from toxinclinic.tasklease.tests.harness import connect


def _token(live: str, client: Any, key: Any, scope: str = "system/*.read") -> str:
    url = f"{live}{TOKEN_PATH}"
    r = requests.post(url, data=token_form(client, key, url, scope), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest.mark.django_db(transaction=True)
def test_export_kickoff_poll_manifest_download_cancel(
    world: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    chart = full_chart(world)
    c, key = make_client(world.clinic)
    live = live_server.url
    h = {"Authorization": f"Bearer {_token(live, c, key)}", "Prefer": "respond-async"}
    types = "Patient,Condition,Observation,MedicationAdministration,Procedure"
    no_async = requests.get(
        f"{live}/fhir/R4/$export", headers={"Authorization": h["Authorization"]}, timeout=10
    )
    assert no_async.status_code == 400
    kick = requests.get(
        f"{live}/fhir/R4/$export",
        params={"_type": types, "_outputFormat": "application/fhir+ndjson"},
        headers=h,
        timeout=10,
    )
    assert kick.status_code == 202, kick.text
    status_url = kick.headers["Content-Location"]
    first = requests.get(status_url, headers=h, timeout=10)
    assert first.status_code == 202 and first.headers["Retry-After"] and first.headers["X-Progress"]

    shared = None
    if connection.vendor == "postgresql":
        shared = connect(connection.settings_dict, connection, tmp_path)
        shared.env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
        shared.start_worker()
    else:
        from toxinclinic.fhir.tasks import run_export

        run_export.call(str(ExportJob.objects.get().public_id))
    try:
        deadline = time.monotonic() + 60
        while True:
            r = requests.get(status_url, headers=h, timeout=10)
            if r.status_code != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    finally:
        if shared is not None:
            shared.stop_all()
    assert r.status_code == 200, r.text
    manifest = r.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["transactionTime"].endswith("Z")
    by_type = {o["type"]: o for o in manifest["output"]}
    assert set(by_type) == set(types.split(","))
    assert by_type["MedicationAdministration"]["count"] == chart["visit"].sites.count()
    for o in manifest["output"]:
        assert requests.get(o["url"], timeout=10).status_code == 401
        f = requests.get(o["url"], headers=h, timeout=10)
        assert f.status_code == 200 and f.headers["Content-Type"] == "application/fhir+ndjson"
        lines = f.text.splitlines()
        assert len(lines) == o["count"]
        for line in lines:
            res = json.loads(line)
            assert res["resourceType"] == o["type"]
            get_fhir_model_class(res["resourceType"]).model_validate(res)
    # Another client cannot see the job; DELETE cancels it and removes the files.
    c2, key2 = make_client(world.clinic, name="other")
    other = {"Authorization": f"Bearer {_token(live, c2, key2)}"}
    assert requests.get(status_url, headers=other, timeout=10).status_code == 404
    assert requests.delete(status_url, headers=h, timeout=10).status_code == 202
    assert requests.get(status_url, headers=h, timeout=10).status_code == 404
    assert not list((tmp_path / "fhir-export").glob("*/*.ndjson"))


@pytest.mark.django_db
def test_group_and_patient_kickoffs_and_refusals(
    world: Any, client: Any, tmp_path: Path, settings: Any
) -> None:
    from toxinclinic.fhir.tests.helpers import get_token

    settings.MEDIA_ROOT = tmp_path / "media"
    full_chart(world)
    c, key = make_client(world.clinic, scopes="system/Patient.read")
    tok = get_token(client, c, key, scope="system/Patient.read")
    h = {"HTTP_AUTHORIZATION": f"Bearer {tok}", "HTTP_PREFER": "respond-async"}
    ok = client.get("/fhir/R4/Group/all-active-patients/$export", {"_type": "Patient"}, **h)
    assert ok.status_code == 202
    assert client.get("/fhir/R4/Group/nope/$export", **h).status_code == 404
    assert client.get("/fhir/R4/Patient/$export", {"_type": "Condition"}, **h).status_code == 403
    assert client.get("/fhir/R4/$export", {"_type": "Basic"}, **h).status_code == 400
    assert client.get("/fhir/R4/$export", {"_outputFormat": "text/csv"}, **h).status_code == 400
    assert client.get("/fhir/R4/$export", {"_since": "yesterday"}, **h).status_code == 400
    job = ExportJob.objects.get()
    assert job.types == ["Patient"] and job.level == "group"
    from toxinclinic.fhir.tasks import run_export

    run_export.call(str(job.public_id))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.output[0]["count"] == 2


@pytest.mark.django_db
def test_a_killed_run_resumes_and_never_leaves_a_manifest_to_half_a_file(
    world: Any, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from django.utils import timezone

    from toxinclinic.fhir import export

    settings.MEDIA_ROOT = tmp_path / "media"
    full_chart(world)
    c, _ = make_client(world.clinic)
    job = ExportJob.objects.create(
        clinic=world.clinic,
        client=c,
        level="system",
        types=["Patient", "Observation"],
        request_url="x",
        transaction_time=timezone.now(),
    )
    real_line = export._line
    calls = {"n": 0}

    def dying_line(obj: Any) -> bytes:
        if obj.get("resourceType") == "Observation":
            calls["n"] += 1
            if calls["n"] == 2:
                raise SystemExit("worker killed")
        return real_line(obj)

    monkeypatch.setattr(export, "_line", dying_line)
    with pytest.raises(SystemExit):
        export.run(str(job.public_id))
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and job.output == []
    folder = export.job_dir(job)
    assert (folder / "Patient.ndjson").exists() and (folder / "Observation.ndjson.part").exists()
    assert not (folder / "Observation.ndjson").exists()
    monkeypatch.setattr(export, "_line", real_line)
    export.run(str(job.public_id))  # the lease re-queues it; the run resumes
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert [o["type"] for o in job.output] == ["Patient", "Observation"]
    n_obs = len((folder / "Observation.ndjson").read_text().splitlines())
    assert n_obs == job.output[1]["count"] and n_obs >= 6
    assert not list(folder.glob("*.part"))
    # Every exported patient's chart read is audited, once, naming the client.
    from toxinclinic.audit.models import AuditEvent

    reads = AuditEvent.objects.filter(
        action="chart.viewed", patient_id=world.patient.pk, data__what="FHIR bulk export"
    )
    assert reads.count() == 1 and reads.get().data["client"] == str(c.public_id)
    # Expiry removes the files.
    assert export.purge_expired(timezone.now() + export.EXPIRE_AFTER * 2) == 1
    assert not folder.exists()


@pytest.mark.django_db
def test_since_exports_only_what_changed_after_it(
    world: Any, client: Any, tmp_path: Path, settings: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from toxinclinic.fhir.tasks import run_export
    from toxinclinic.fhir.tests.helpers import get_token
    from toxinclinic.patients.models import Patient

    settings.MEDIA_ROOT = tmp_path / "media"
    full_chart(world)
    c, key = make_client(world.clinic)
    h = {"HTTP_AUTHORIZATION": f"Bearer {get_token(client, c, key)}", "HTTP_PREFER": "respond-async"}
    cut = timezone.now() + dt.timedelta(seconds=1)
    Patient.objects.filter(pk=world.patient2.pk).update(updated_at=cut + dt.timedelta(minutes=5))
    since = cut.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        client.get("/fhir/R4/$export", {"_type": "Patient,Condition", "_since": since}, **h).status_code
        == 202
    )
    job = ExportJob.objects.get()
    run_export.call(str(job.public_id))
    job.refresh_from_db()
    # Only patient2 changed after _since; no Condition did (empty files are left out of the manifest).
    assert job.output == [{"type": "Patient", "count": 1, "file": "Patient.ndjson"}]

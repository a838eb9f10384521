"""Bulk Data ``$export`` (HL7 Bulk Data Access IG): the job's files, written by the task worker.

Each type is streamed to ``<type>.ndjson.part`` in keyset-paged chunks (bounded memory) and renamed into
place only when complete; the manifest (``ExportJob.output``) is written after the last rename, so it never
points at half a file. A worker killed mid-export leaves the job RUNNING; the lease re-queues the task, the
finished types are kept (their names are in ``cursor["done"]``) and the half-written type starts again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from toxinclinic.audit.models import AuditEvent
from toxinclinic.fhir.audit import patient_pk
from toxinclinic.fhir.models import ExportJob, ExportStatus
from toxinclinic.fhir.resources import TYPES
from toxinclinic.fhir.search import Query, batches
from toxinclinic.fhir.smart import Grant, Scope

EXPIRE_AFTER = dt.timedelta(hours=1)
#: Rows per keyset page (and per file write): a few MB of resources at most.
CHUNK = 2000
#: How often (rows) the worker looks whether the job was cancelled and records its progress.
CHECK_EVERY = 5000


def export_root() -> Path:
    return Path(settings.MEDIA_ROOT).parent / "fhir-export"


def job_dir(job: ExportJob) -> Path:
    return export_root() / str(job.public_id)


def export_query(job: ExportJob, type_name: str) -> Query:
    t = TYPES[type_name]
    filters: list[Q | None] = []
    for src in t.sources:
        q = Q()
        if job.since is not None:
            if src.updated is None:
                q = q  # no change time kept: always included
            else:
                q &= Q(**{f"{src.updated}__gte": job.since})
        if job.patient_id is not None:
            if src.patient is None:
                filters.append(None)
                continue
            q &= Q(pk=job.patient_id) if src.patient == "" else Q(**{f"{src.patient}_id": job.patient_id})
        filters.append(q)
    return Query(t, filters, CHUNK, False, False, None)


def _grant(job: ExportJob) -> Grant:
    # The kick-off already checked the client's scopes for every type asked; the worker reads as that client.
    return Grant(job.client, (Scope("system", "*", True, True),))


def _line(res: dict[str, Any]) -> bytes:
    # orjson: encoding was most of the export's time with the json module (17x faster here).
    return orjson.dumps(res, option=orjson.OPT_APPEND_NEWLINE)


def _cancelled(job: ExportJob) -> bool:
    return ExportJob.objects.filter(pk=job.pk, status=ExportStatus.CANCELLED).exists()


def run(job_id: str) -> str:
    """Write every asked type's NDJSON file, then the manifest. Safe to run again after a kill."""
    job = ExportJob.objects.select_related("client").filter(public_id=job_id).first()
    if job is None or job.status in (ExportStatus.CANCELLED, ExportStatus.DONE, ExportStatus.FAILED):
        return "nothing to do"
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, updated_at=timezone.now())
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    done: dict[str, int] = dict(job.cursor.get("done", {}))
    grant = _grant(job)
    seen_patients: set[int] = set(job.cursor.get("patients", []))
    written = sum(done.values())
    for type_name in job.types:
        if type_name in done and (folder / f"{type_name}.ndjson").exists():
            continue
        part = folder / f"{type_name}.ndjson.part"
        n = 0
        next_check = CHECK_EVERY
        with part.open("wb") as fh:  # "wb": a half file from a killed run starts again
            for _, src, batch in batches(export_query(job, type_name), grant, chunk=CHUNK):
                # One write per page: the page's lines joined (orjson appends each newline).
                lines = [_line(res) for row in batch for res in src.expand(row)]
                fh.write(b"".join(lines))
                n += len(lines)
                seen_patients.update(pk for pk in map(patient_pk, batch) if pk is not None)
                if n >= next_check:
                    next_check = n + CHECK_EVERY
                    if _cancelled(job):
                        shutil.rmtree(folder, ignore_errors=True)
                        return "cancelled"
                    ExportJob.objects.filter(pk=job.pk).update(
                        progress=f"{type_name}: {n} resources ({written + n} in all)"
                    )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, folder / f"{type_name}.ndjson")
        done[type_name] = n
        written += n
        ExportJob.objects.filter(pk=job.pk).update(
            cursor={"done": done, "patients": sorted(seen_patients)},
            progress=f"{len(done)} of {len(job.types)} types ({written} resources)",
        )
    if _cancelled(job):
        shutil.rmtree(folder, ignore_errors=True)
        return "cancelled"
    _audit(job, seen_patients)
    output = [{"type": t, "count": done[t], "file": f"{t}.ndjson"} for t in job.types if done.get(t)]
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE,
        output=output,
        progress="complete",
        expires_at=timezone.now() + EXPIRE_AFTER,
        updated_at=timezone.now(),
    )
    return f"exported {written}"


def _audit(job: ExportJob, patients: set[int]) -> None:
    """One chart read per exported patient, written in batches (a clinic export is thousands)."""
    events = [
        AuditEvent(
            actor_label="system",
            clinic_id=job.clinic_id,
            patient_id=pk,
            action="chart.viewed",
            object_type="patients.patient",
            data={
                "what": "FHIR bulk export",
                "client": str(job.client.public_id),
                "client_name": job.client.name,
            },
        )
        for pk in sorted(patients)
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def cancel(job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.CANCELLED, output=[], updated_at=timezone.now()
    )
    shutil.rmtree(job_dir(job), ignore_errors=True)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Remove the files of finished exports past their expiry (and of cancelled ones); returns how many."""
    now = now or timezone.now()
    n = 0
    for job in ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now):
        shutil.rmtree(job_dir(job), ignore_errors=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.CANCELLED, output=[], message="expired"
        )
        n += 1
    return n


def fail(job_id: str, exc: BaseException) -> None:
    """The job failed for good: no manifest, the half-written files removed, the reason kept."""
    job = ExportJob.objects.filter(public_id=job_id).first()
    if job is None:
        return
    shutil.rmtree(job_dir(job), ignore_errors=True)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, output=[], message=f"{type(exc).__name__}: {exc}"[:2000]
    )

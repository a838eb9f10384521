"""Bulk Data kick-off (system, Patient, Group), status polling, file download and cancel (DELETE)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from toxinclinic.fhir import audit, export, housekeeping
from toxinclinic.fhir.models import ExportJob, ExportStatus
from toxinclinic.fhir.outcome import FhirError, fhir_response, operation_outcome
from toxinclinic.fhir.resources import PATIENT_TYPES, TYPES
from toxinclinic.fhir.views import base_url, fhir_view, require_grant

NDJSON = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
#: The cohorts a clinic exports by Group: every patient of the clinic's chart is an active patient (the
#: chart has no inactive state yet).
GROUPS = {"all-active-patients": "All active patients"}
_ALLOWED = {"_type", "_since", "_outputFormat"}


def _kickoff(request: HttpRequest, level: str, group: str = "") -> HttpResponse:
    what = f"FHIR $export ({level})"
    grant = require_grant(request, what)
    export.purge_expired()
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise FhirError(400, "invalid", "Bulk export needs the header Prefer: respond-async.")
    unknown = set(request.GET) - _ALLOWED - {"_format"}
    if unknown:
        raise FhirError(400, "not-supported", f"$export does not support {', '.join(sorted(unknown))}.")
    fmt = request.GET.get("_outputFormat")
    if fmt is not None and fmt not in NDJSON:
        raise FhirError(400, "not-supported", "_outputFormat must be application/fhir+ndjson.")
    if level == "group" and group not in GROUPS:
        raise FhirError(404, "not-found", f"Group/{group} is not known to this server.")
    scope_types = list(TYPES) if level == "system" else PATIENT_TYPES
    if grant.patient_id is not None:
        scope_types = [t for t in scope_types if TYPES[t].sources[0].patient is not None]
    asked = [t for t in request.GET.get("_type", "").split(",") if t]
    for t in asked:
        if t not in scope_types:
            raise FhirError(400, "not-supported", f"_type {t} cannot be exported at this level.")
    types = [t for t in (asked or scope_types) if grant.may(t)]
    if asked and len(types) < len(asked):
        audit.record_refusal(grant, what, "scope", 403)
        raise FhirError(403, "forbidden", "This token has no scope for every _type asked.")
    if not types:
        audit.record_refusal(grant, what, "scope", 403)
        raise FhirError(403, "forbidden", "This token may read none of the types this export holds.")
    since = None
    if "_since" in request.GET:
        since = parse_datetime(request.GET["_since"])
        if since is None or timezone.is_naive(since):
            raise FhirError(
                400, "invalid", "_since must be an instant with a time zone, e.g. 2026-01-01T00:00:00Z."
            )
    job = ExportJob.objects.create(
        clinic_id=grant.clinic_id,
        client=grant.client,
        level=level,
        group=group,
        patient_id=grant.patient_id,
        types=types,
        since=since,
        request_url=request.build_absolute_uri(),
        transaction_time=timezone.now(),
    )
    from toxinclinic.fhir.tasks import run_export

    run_export.enqueue(str(job.public_id))
    housekeeping.ensure_ticking()  # expired files are removed on a schedule from the first export on
    resp = HttpResponse(status=202)
    resp["Content-Location"] = f"{base_url(request)}$export-status/{job.public_id}"
    return resp


@fhir_view
def system_export(request: HttpRequest) -> HttpResponse:
    return _kickoff(request, "system")


@fhir_view
def patient_export(request: HttpRequest) -> HttpResponse:
    return _kickoff(request, "patient")


@fhir_view
def group_export(request: HttpRequest, group: str) -> HttpResponse:
    return _kickoff(request, "group", group)


def _job(request: HttpRequest, job_id: str) -> ExportJob:
    grant = require_grant(request, "FHIR $export status")
    try:
        u = uuid.UUID(job_id)
    except ValueError as exc:
        raise FhirError(404, "not-found", "No such export.") from exc
    job = ExportJob.objects.filter(public_id=u, client=grant.client).first()
    if job is None:
        raise FhirError(404, "not-found", "No such export (or it belongs to another client).")
    return job


@fhir_view(methods=("GET", "DELETE"))
def status(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    if request.method == "DELETE":
        export.cancel(job)
        return HttpResponse(status=202)
    export.purge_expired()
    job.refresh_from_db()
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        resp = HttpResponse(status=202)
        resp["X-Progress"] = job.progress or job.get_status_display()
        resp["Retry-After"] = "2"
        return resp
    if job.status == ExportStatus.FAILED:
        return fhir_response(
            operation_outcome([("error", "exception", "The export failed; start it again.")]), 500
        )
    if job.status == ExportStatus.CANCELLED:
        raise FhirError(404, "not-found", "This export was cancelled or has expired.")
    base = base_url(request)
    manifest: dict[str, Any] = {
        "transactionTime": job.transaction_time.astimezone(dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": o["type"], "url": f"{base}$export-file/{job.public_id}/{o['file']}", "count": o["count"]}
            for o in job.output
        ],
        "error": [],
    }
    resp = fhir_response(manifest)
    resp["Content-Type"] = "application/json"
    resp["Expires"] = job.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT") if job.expires_at else ""
    return resp


@fhir_view
def download(request: HttpRequest, job_id: str, name: str) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != ExportStatus.DONE or name not in {o["file"] for o in job.output}:
        raise FhirError(404, "not-found", "No such file in this export (it may have expired).")
    path = export.job_dir(job) / name
    if not path.exists():
        raise FhirError(404, "not-found", "This file has expired.")
    return FileResponse(path.open("rb"), content_type="application/fhir+ndjson")

"""The FHIR bench's own population and the steps it runs in separate processes (each prints ``OUT<json>``).

Run inside Django (``manage.py shell -c``): ``populate(n, clients)``, ``export(client_pk)``; and without
Django: ``python -m benchmarks.fhir_population baseline DIR LIMIT``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

START = dt.date(2026, 10, 1)
DAYS = 30


def _out(data: dict[str, Any]) -> None:
    print("OUT" + json.dumps(data))


def populate(n: int, clients: int, start: int = 0, client_pk: int | None = None) -> None:
    """``n`` patients in one clinic, 38 resources each, and a bench client with a 2-hour token. With
    ``client_pk``, ``n`` more patients (MRNs from ``start``) in that client's clinic and the same client
    (the bench exports a small clinic, grows it and exports again: peak memory at two sizes)."""
    from django.db import transaction
    from django.utils import timezone

    from toxinclinic.accounts.models import Clinic
    from toxinclinic.diary.models import DiaryEntry, DiaryMonth
    from toxinclinic.fhir.models import AccessToken, BackendClient
    from toxinclinic.patients.models import Allergy, Medication, Patient, PatientIndication, PreventiveTrial

    existing = BackendClient.objects.filter(pk=client_pk).first() if client_pk else None
    clinic = existing.clinic if existing else Clinic.objects.create(name="FHIR bench clinic", phone="1")
    c = clinic.pk
    for lo in range(start, start + n, 1000):
        with transaction.atomic():
            mrns = [f"B{i:06d}" for i in range(lo, min(start + n, lo + 1000))]
            Patient.objects.bulk_create(
                [
                    Patient(
                        clinic=clinic,
                        mrn=m,
                        first_name=f"F{m}",
                        last_name=f"L{m}",
                        date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=int(m[1:]) % 9000),
                        sex="female",
                        enrolled_on=START,
                        search_text=f"l{m} f{m} {m}".lower(),
                    )
                    for m in mrns
                ]
            )
            ps = list(Patient.objects.filter(clinic=clinic, mrn__in=mrns))
            PatientIndication.objects.bulk_create(
                [
                    PatientIndication(patient=p, clinic_id=c, indication="chronic_migraine", icd10="G43.709")
                    for p in ps
                ]
            )
            Allergy.objects.bulk_create(
                [Allergy(patient=p, clinic_id=c, substance="Penicillin", reaction="Rash") for p in ps]
            )
            meds = (("Apixaban", "anticoagulant"), ("Sumatriptan", "triptan"))
            Medication.objects.bulk_create(
                [
                    Medication(patient=p, clinic_id=c, name=nm, drug_class=k, dose="5 mg")
                    for p in ps
                    for nm, k in meds
                ]
            )
            PreventiveTrial.objects.bulk_create(
                [
                    PreventiveTrial(
                        patient=p,
                        clinic_id=c,
                        drug="Topiramate",
                        drug_class="anticonvulsant",
                        outcome="ineffective",
                    )
                    for p in ps
                ]
            )
            DiaryEntry.objects.bulk_create(
                [
                    DiaryEntry(
                        patient=p,
                        clinic_id=c,
                        date=START + dt.timedelta(days=d),
                        headache=d % 2 == 0,
                        duration_hours=6 if d % 2 == 0 else 0,
                        severity="moderate" if d % 2 == 0 else "none",
                        headache_day=d % 2 == 0,
                        migraine_day=d % 4 == 0,
                    )
                    for p in ps
                    for d in range(DAYS)
                ],
                batch_size=5000,
            )
            DiaryMonth.objects.bulk_create(
                [
                    DiaryMonth(
                        patient=p,
                        clinic_id=c,
                        month=START,
                        period_start=START,
                        period_end=START + dt.timedelta(days=30),
                        days_in_period=31,
                        days_recorded=30,
                        min_days_required=28,
                        sufficient=True,
                        headache_days=15,
                        migraine_days=8,
                        moderate_severe_days=15,
                        acute_medication_days=0,
                        triptan_or_ergot_days=0,
                    )
                    for p in ps
                ]
            )
    if existing is not None:
        _out({"client": existing.pk})
        return
    client = BackendClient.objects.create(clinic=clinic, name="bench", jwks={"keys": []})
    raw, digest = AccessToken.new_secret()
    AccessToken.objects.create(
        client=client,
        digest=digest,
        scopes="system/*.read",
        expires_at=timezone.now() + dt.timedelta(hours=2),
    )
    ids = Patient.objects.filter(clinic=clinic).order_by("pk").values_list("public_id", flat=True)[:clients]
    _out({"token": raw, "patients": [str(u) for u in ids], "client": client.pk})


def export(client_pk: int) -> None:
    """A system-level export of every patient type, run as the task worker runs it; its peak RSS."""
    import resource

    from django.utils import timezone

    from toxinclinic.fhir import export as fhir_export
    from toxinclinic.fhir.models import BackendClient, ExportJob
    from toxinclinic.fhir.resources import PATIENT_TYPES

    c = BackendClient.objects.get(pk=client_pk)
    job = ExportJob.objects.create(
        clinic_id=c.clinic_id,
        client=c,
        level="system",
        types=PATIENT_TYPES,
        request_url="bench",
        transaction_time=timezone.now(),
    )
    t0, c0 = time.perf_counter(), time.process_time()
    fhir_export.run(str(job.public_id))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    job.refresh_from_db()
    _out(
        {
            "wall": wall,
            "cpu": cpu,
            "count": sum(o["count"] for o in job.output),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "dir": str(fhir_export.job_dir(job)),
            "status": job.status,
        }
    )


def network_client(clinic_id: int) -> None:
    """A bench client in the 20,000-patient network's clinic (``benchmarks.network``), for its export."""
    from toxinclinic.fhir.models import BackendClient

    c = BackendClient.objects.create(clinic_id=clinic_id, name="bench network export", jwks={"keys": []})
    _out({"client": c.pk})


def baseline(folder: Path, limit: int) -> None:
    """The same resources (from the export's files, an equal share per type) validated and serialised
    through fhir.resources R4B models."""
    from fhir.resources.R4B import get_fhir_model_class

    files = sorted(folder.glob("*.ndjson"))
    per_type = max(1, limit // max(1, len(files)))
    lines: list[dict[str, Any]] = []
    for f in files:
        with f.open() as fh:
            for i, line in enumerate(fh):
                if i >= per_type:
                    break
                lines.append(json.loads(line))
    models = {r["resourceType"]: get_fhir_model_class(r["resourceType"]) for r in lines}
    t0, c0 = time.perf_counter(), time.process_time()
    for r in lines:
        models[r["resourceType"]].model_validate(r).model_dump_json()
    _out({"n": len(lines), "wall": time.perf_counter() - t0, "cpu": time.process_time() - c0})


if __name__ == "__main__":
    if sys.argv[1] == "baseline":
        baseline(Path(sys.argv[2]), int(sys.argv[3]))

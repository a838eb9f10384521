"""Every FHIR access is audited like a chart read: one ``chart.viewed`` event per patient whose records a
response carried, naming the client; refusals are audited as ``fhir.refused``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from toxinclinic.audit.services import log_action
from toxinclinic.fhir.smart import Grant


def patient_pk(row: Any) -> int | None:
    meta = getattr(row, "_meta", None)
    if meta is not None and meta.label_lower == "patients.patient":
        return row.pk
    if hasattr(row, "patient_id"):
        return row.patient_id
    visit = getattr(row, "visit", None)  # a signed note's patient is its visit's
    return getattr(visit, "patient_id", None)


def record_access(grant: Grant, patient_pks: Iterable[int | None], what: str) -> None:
    for pk in sorted({p for p in patient_pks if p is not None}):
        log_action(
            "chart.viewed",
            clinic_id=grant.clinic_id,
            patient_id=pk,
            data={"what": what, "client": str(grant.client.public_id), "client_name": grant.client.name},
        )


def record_refusal(grant: Grant | None, what: str, reason: str, status: int) -> None:
    log_action(
        "fhir.refused",
        clinic_id=grant.clinic_id if grant else None,
        patient_id=grant.patient_id if grant else None,
        data={
            "what": what,
            "reason": reason,
            "status": status,
            "client": str(grant.client.public_id) if grant else "",
        },
    )


def record_access_token(client: Any, scopes: list[str]) -> None:
    log_action(
        "fhir.token_issued",
        clinic_id=client.clinic_id,
        patient_id=client.patient_id,
        data={"client": str(client.public_id), "client_name": client.name, "scopes": scopes},
    )

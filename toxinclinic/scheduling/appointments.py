"""Read-only questions other rooms ask about appointments (the coordinator's worklist, home panels).

These names are a published interface: ``next_appointments`` and ``has_booked_or_open`` keep their
signatures. Patient ids here are the integer keys other rooms already hold (``patient_id``), never shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from toxinclinic.scheduling.models import Appointment, AppointmentKind, AppointmentStatus


def upcoming(clinic_id: int, *, now: dt.datetime | None = None):  # -> QuerySet[Appointment]
    """Booked appointments of the clinic that have not ended yet."""
    now = now or timezone.now()
    return Appointment.objects.filter(clinic_id=clinic_id, status=AppointmentStatus.BOOKED, ends_at__gt=now)


def next_appointments(
    clinic_id: int,
    patient_ids: Iterable[int],
    *,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Appointment]:
    """Each patient's next booked appointment (of ``kind`` when given), keyed by patient id; patients
    with none are absent. One query, however many patients."""
    ids = list(patient_ids)
    if not ids:
        return {}
    qs = upcoming(clinic_id, now=now).filter(patient_id__in=ids)
    if kind:
        qs = qs.filter(kind=kind)
    out: dict[int, Appointment] = {}
    for appt in qs.select_related("clinician", "location").order_by("patient_id", "starts_at", "id"):
        out.setdefault(appt.patient_id, appt)
    return out


def next_appointment(clinic_id: int, patient_id: int, *, kind: str | None = None) -> Appointment | None:
    return next_appointments(clinic_id, [patient_id], kind=kind).get(patient_id)


def last_attended(clinic_id: int, patient_id: int) -> Appointment | None:
    """The patient's most recent attended appointment (the portal shows it as past, never upcoming)."""
    return (
        Appointment.objects.filter(
            clinic_id=clinic_id, patient_id=patient_id, status=AppointmentStatus.ATTENDED
        )
        .order_by("-starts_at", "-id")
        .first()
    )


def has_booked_or_open(
    clinic_id: int, patient_ids: Iterable[int], *, now: dt.datetime | None = None
) -> set[int]:
    """The patients (ids) who already have a booked injection appointment ahead or an open (draft)
    visit: the worklist leaves them out of "needs booking"."""
    ids = list(patient_ids)
    if not ids:
        return set()
    booked = set(
        upcoming(clinic_id, now=now)
        .filter(patient_id__in=ids, kind=AppointmentKind.INJECTION)
        .values_list("patient_id", flat=True)
    )
    # Imported here: visits imports the scheduling services on signing (recall), not the other way round.
    from toxinclinic.visits.models import Visit, VisitStatus

    drafts = set(
        Visit.objects.filter(clinic_id=clinic_id, patient_id__in=ids, status=VisitStatus.DRAFT).values_list(
            "patient_id", flat=True
        )
    )
    return booked | drafts

"""Appointment: a booked time with a clinician (``scheduling.models.Appointment``).

Only the booking itself is shown: when, with whom, where, and the kind of visit in plain words. No
clinical detail (no indication, no reason for a cancellation: free text a person typed may carry it) and
no coded ``appointmentType``/``serviceType`` (no code for these kinds was verified here, so none is
invented: the kind travels as text).
"""

from __future__ import annotations

from typing import Any

from toxinclinic.fhir.serializers.base import instant, meta, prune, ref

#: Our status -> FHIR R4 AppointmentStatus (required binding).
STATUS = {"booked": "booked", "cancelled": "cancelled", "no_show": "noshow", "attended": "fulfilled"}


def appointment(a: Any) -> dict[str, Any]:
    """``a`` needs ``patient``, ``clinician`` and ``location`` joined. Times are UTC instants."""
    participants = [
        {"actor": ref("Patient", a.patient.public_id), "required": "required", "status": "accepted"},
        {
            "actor": ref("Practitioner", a.clinician.public_id, a.clinician.display_name),
            "required": "required",
            "status": "accepted",
        },
    ]
    if a.location_id:
        participants.append(
            {
                "actor": ref("Location", a.location.public_id, a.location.name),
                "required": "required",
                "status": "accepted",
            }
        )
    kind = a.get_kind_display()
    return prune(
        {
            "resourceType": "Appointment",
            "id": str(a.public_id),
            "meta": meta(a.updated_at),
            "status": STATUS.get(a.status, "booked"),
            "appointmentType": {"text": kind},
            "serviceType": [{"text": kind}],
            "start": instant(a.starts_at),
            "end": instant(a.ends_at),
            "minutesDuration": max(1, int((a.ends_at - a.starts_at).total_seconds() // 60)),
            "created": instant(a.created_at),
            "participant": participants,
        }
    )

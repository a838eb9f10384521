"""Record a signed visit's session; read sessions, injection dates, the last session and the next window.

Units are the session's product's own units (U); they are never added across products.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.clinical import aftercare, recall
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.treatment.signals import session_recorded


def record_session(
    *,
    visit_id: str | uuid.UUID,
    patient: Patient,
    clinic_id: int,
    injected_on: dt.date,
    product: str,
    indication: str,
    total_units: float,
    sites: Sequence[dict[str, Any]],
    signed_by: Any = None,
) -> TreatmentSession:
    """Store (or refresh) the snapshot of a signed visit, audited, then send ``session_recorded`` in the
    same transaction (safety schedules its check-ins there). Idempotent per visit."""
    vid = visit_id if isinstance(visit_id, uuid.UUID) else uuid.UUID(str(visit_id))
    clean_sites = [
        {
            "muscle": str(s.get("muscle", "")),
            "side": str(s.get("side", "")),
            "units": float(s.get("units", 0)),
        }
        for s in sites
    ]
    label = ""
    if signed_by is not None:
        label = getattr(signed_by, "display_name", "") or str(signed_by)
    with transaction.atomic():
        existing = TreatmentSession.objects.select_for_update().filter(visit_id=vid).first()
        before = snapshot(existing) if existing else None
        session = existing or TreatmentSession(visit_id=vid)
        session.patient = patient
        session.clinic_id = clinic_id
        session.injected_on = injected_on
        session.product = product
        session.indication = indication
        session.total_units = float(total_units)
        session.sites = clean_sites
        session.signed_by = signed_by if getattr(signed_by, "pk", None) else None
        session.signed_by_label = label
        session.save()
        record_change(
            "treatment_session.updated" if existing else "treatment_session.recorded",
            session,
            before,
            actor=signed_by,
        )
        session_recorded.send(sender=TreatmentSession, session=session, created=existing is None)
    return session


def sessions_for(patient: Patient) -> QuerySet[TreatmentSession]:
    """The patient's sessions, newest first."""
    return TreatmentSession.objects.filter(patient=patient).order_by("-injected_on", "-id")


def last_session(patient: Patient, today: dt.date | None = None) -> TreatmentSession | None:
    """The latest session on or before ``today`` (the clinic's date by default)."""
    today = today or timezone.localdate()
    return sessions_for(patient).filter(injected_on__lte=today).first()


def injection_dates(patient: Patient) -> list[dt.date]:
    """Every session date, oldest first."""
    # order_by() first: the model's default ordering would add its columns to SELECT DISTINCT, and two
    # sessions on one day (two indications) would give that day twice.
    days = TreatmentSession.objects.filter(patient=patient).order_by().values_list("injected_on", flat=True)
    return sorted(days.distinct())


def next_window(last_injected_on: dt.date) -> recall.RecallWindow:
    """The engine's re-treatment window after a session on ``last_injected_on``, at the clinic's interval."""
    return recall.recall_window(last_injected_on, recall_interval_days())


@dataclass(frozen=True)
class TreatmentStatus:
    last: TreatmentSession | None
    window: recall.RecallWindow | None
    aftercare: tuple[aftercare.AftercareItem, ...]
    days_since: int | None
    window_open: bool
    today: dt.date | None = None  # the day the status was judged on (the clinic's date)

    @property
    def days_until_window(self) -> int | None:
        """Days from the judged day to the window's due date (negative: overdue)."""
        if self.window is None:
            return None
        return self.window.days_until_due(self.today or timezone.localdate())


def treatment_status(patient: Patient, today: dt.date | None = None) -> TreatmentStatus:
    """Last session, when the next injection window opens (engine recall window) and the aftercare."""
    today = today or timezone.localdate()
    last = last_session(patient, today)
    if last is None:
        return TreatmentStatus(None, None, aftercare.AFTERCARE, None, False, today)
    window = next_window(last.injected_on)
    return TreatmentStatus(
        last, window, aftercare.AFTERCARE, (today - last.injected_on).days, window.is_open(today), today
    )

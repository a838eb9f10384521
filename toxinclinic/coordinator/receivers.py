"""Keep worklist rows fresh: each fact that changes a row refreshes that patient's row after the commit.

Events: a signed session (``treatment.session_recorded``), an appointment saved, a visit saved (open/signed),
a side-effect triage item created, an authorization recorded or moved. Writes that other rooms make with a
queryset update (a triage item acknowledged or called back) send no model signal; their audit entry is the
one event they all write, so its namespaced action is the trigger (``WATCHED_ACTIONS``).
The 30-day diary figures also move with the calendar: the clinic refresh (``tasks.refresh_clinic``) runs
when the worklist finds rows from an earlier day.

Diary saves are the exception to "refresh after the commit": a patient saves days far more often than staff
change anything else, the row's diary figures are 30-day counts nobody needs to the second, and rebuilding
the row inside the save's request was two thirds of the save's server time (cProfile, 2026-12-02: 28.9 of
43.2 s over 300 saves). So a diary save queues one background refresh of that patient's row, coalesced
over ``tasks.DIARY_REFRESH_DELAY`` (a patient back-filling a week queues one task, not seven).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from toxinclinic.audit.models import AuditEvent
from toxinclinic.coordinator import rows, tasks
from toxinclinic.coverage.signals import authorization_changed
from toxinclinic.safety.models import TriageItem
from toxinclinic.scheduling.models import Appointment
from toxinclinic.treatment.signals import session_recorded
from toxinclinic.visits.models import Visit


def _later(clinic_id: int, patient_id: int) -> None:
    transaction.on_commit(lambda: rows.refresh(clinic_id, [patient_id]))


@receiver(session_recorded, dispatch_uid="coordinator.session")
def _session(sender: Any, session: Any, **kw: Any) -> None:
    _later(session.clinic_id, session.patient_id)


@receiver(authorization_changed, dispatch_uid="coordinator.auth")
def _auth(sender: Any, patient_id: int, clinic_id: int, **kw: Any) -> None:
    _later(clinic_id, patient_id)


@receiver(post_save, sender=Visit, dispatch_uid="coordinator.visit")
def _visit(sender: Any, instance: Any, created: bool = False, **kw: Any) -> None:
    # Only an opened visit changes the row (a visit is saved at every charting step; signing is
    # session_recorded's event).
    if created and not kw.get("raw"):
        _later(instance.clinic_id, instance.patient_id)


@receiver(post_delete, sender=Visit, dispatch_uid="coordinator.visit_gone")
def _visit_gone(sender: Any, instance: Any, **kw: Any) -> None:
    _later(instance.clinic_id, instance.patient_id)


@receiver(post_save, sender=Appointment, dispatch_uid="coordinator.appointment")
@receiver(post_save, sender=TriageItem, dispatch_uid="coordinator.triage")
def _saved(sender: Any, instance: Any, **kw: Any) -> None:
    if not kw.get("raw"):
        _later(instance.clinic_id, instance.patient_id)


#: Audit actions after which the patient's row is recomputed.
WATCHED_ACTIONS = frozenset(
    {
        "triage.acknowledged",
        "triage.called_back",
        "triage.closed",
    }
)
#: Audit actions after which the patient's row is recomputed in the background (see the module docstring).
DIARY_ACTIONS = frozenset({"diary.entry_created", "diary.entry_replaced"})


@receiver(post_save, sender=AuditEvent, dispatch_uid="coordinator.audit")
def _audited(sender: Any, instance: AuditEvent, created: bool = False, **kw: Any) -> None:
    if not (created and instance.patient_id and instance.clinic_id):
        return
    clinic_id, patient_id = int(instance.clinic_id), int(instance.patient_id)
    if instance.action in WATCHED_ACTIONS:
        _later(clinic_id, patient_id)
    elif instance.action in DIARY_ACTIONS:
        transaction.on_commit(lambda: tasks.queue_patient_refresh(clinic_id, patient_id))

"""Recall: set on signing from the engine's recall window; listed for the coordinator by due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from toxinclinic.accounts.permissions import is_staff_member
from toxinclinic.clinical import recall
from toxinclinic.scheduling.models import Recall
from toxinclinic.treatment.services import next_window

#: The coordinator's default look-ahead: who is due within the next four weeks (clinic policy).
DUE_SOON_DAYS = 28


def set_recall(session: Any) -> recall.RecallWindow:
    """Store the patient's next due date for this indication from a recorded treatment session (the
    treatment room's ``session_recorded``; units and product are the session's own).

    A session older than the one already on record (history entered late) does not move the recall back.
    """
    window = next_window(session.injected_on)
    current = Recall.objects.filter(patient_id=session.patient_id, indication=session.indication).first()
    if current is not None and current.last_session_on > session.injected_on:
        return next_window(current.last_session_on)
    values = {
        "clinic_id": session.clinic_id,
        "product": session.product,
        "last_session_on": session.injected_on,
        "opens_on": window.opens,
        "due_on": window.due,
        "last_visit_id": session.visit_id,
    }
    if current is None:
        Recall.objects.create(patient_id=session.patient_id, indication=session.indication, **values)
    else:
        Recall.objects.filter(pk=current.pk).update(**values, updated_at=timezone.now())
    return window


def recalls_for(user: Any) -> QuerySet[Recall]:
    if not is_staff_member(user):
        return Recall.objects.none()
    return Recall.objects.filter(clinic_id=user.clinic_id).select_related("patient")


def with_open_visit(qs: QuerySet[Recall]) -> QuerySet[Recall]:
    """Annotate each recall with the patient's open (unsigned) visit for the same indication, if any:
    ``open_visit_id`` (its public id) and ``open_visit_on`` (its date)."""
    from toxinclinic.visits.models import Visit, VisitStatus

    open_visits = Visit.objects.filter(
        patient_id=OuterRef("patient_id"), indication=OuterRef("indication"), status=VisitStatus.DRAFT
    ).order_by("-visit_date", "-created_at")
    return qs.annotate(
        open_visit_id=Subquery(open_visits.values("public_id")[:1]),
        open_visit_on=Subquery(open_visits.values("visit_date")[:1]),
    )


def recall_list(
    user: Any, today: dt.date, *, which: str = "due", days: int = DUE_SOON_DAYS
) -> QuerySet[Recall]:
    """``overdue``: due before today; ``due``: overdue or due within ``days``; ``all``: every recall.

    A patient whose visit for that indication is already open is being treated, not overdue: they are
    left out of ``overdue`` and carry ``open_visit_id`` / ``open_visit_on`` in the other views.
    """
    qs = with_open_visit(recalls_for(user))
    if which == "overdue":
        qs = qs.filter(due_on__lt=today, open_visit_id__isnull=True)
    elif which == "due":
        qs = qs.filter(due_on__lte=today + dt.timedelta(days=days))
    return qs.order_by("due_on", "patient__last_name")

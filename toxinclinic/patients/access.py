"""The one door to a chart: fetch the patient for a request, check the use case, record the read.

Every view and API operation that opens a patient's records goes through here (healthchecks'
``_get_check_for_user`` is the model):

- ``own_patient(user)`` — the signed-in patient's own record (staff: 403; a login with no record: 404);
- ``chart_for(request, patient_id, can=…, what=…)`` — a patient by public id for any signed-in user:
  404 unless ``can_view_chart`` (never a hint that the id exists), 403 unless the use case ``can``
  allows it, and the staff read recorded in the audit trail as ``what``;
- ``record_for(request, queryset, record_id, can=…, what=…)`` — one of a patient's records by its own
  public id (a side-effect report, a questionnaire response): 404 unless ``can(user, record.patient)``,
  the staff read recorded as ``what``;
- ``@patient_only`` — a view decorator that passes ``own_patient(request.user)`` as the view's second
  argument.

Apps never import each other's private look-ups; they import this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from toxinclinic.accounts.models import Clinic, Role
from toxinclinic.audit.services import record_read
from toxinclinic.core.rawsql import Table
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import get_patient, parse_public_id

UseCase = Callable[[Any, Any], bool]
V = TypeVar("V", bound=Callable[..., HttpResponse])
R = TypeVar("R", bound=Model)
_PATIENTS = Table(Patient)
_CLINICS = Table(Clinic)


def own_patient(
    user: Any, *, refused: str = "Only the patient can do this; staff open the chart."
) -> Patient:
    """The patient record linked to ``user``. ``refused`` is the 403 text staff see."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) != Role.PATIENT:
        raise PermissionDenied(refused)
    # One model-shaped SELECT with the clinic joined (core.rawsql): this runs on every patient request,
    # a diary save among them, and the ORM's queryset costs several times the database's own work here
    # (measured: r1 report, issue 14). ``user`` is unique on Patient; the row equals the ORM's.
    with connection.cursor() as cur:
        found = _PATIENTS.select_joined(cur, ["user_id"], [user.pk], _CLINICS, ("clinic_id", "id"))
    if found is None:
        raise Http404("No patient record is linked to this login.")
    patient = _PATIENTS.instance(found[0])
    patient.clinic = _CLINICS.instance(found[1])  # as select_related("clinic") would
    return patient


def chart_for(
    request: HttpRequest | Any,
    patient_id: str | uuid.UUID,
    *,
    can: UseCase | None = None,
    what: str | None = "chart",
    hidden: bool = False,
) -> Patient:
    """The patient ``patient_id`` if the requester may see the chart and ``can(user, patient)``.

    ``request`` may be a request or a user. ``what`` names the part read, for the audit trail ("diary",
    "questionnaires (API)"); ``None`` records nothing, for a write whose own audit entry says more.
    ``hidden=True`` answers a failing ``can`` with the same 404 as an unknown id (for links such as a
    chart image, where even a 403 would confirm that the chart exists).
    """
    user = getattr(request, "user", request)
    patient = get_patient(user, patient_id)
    if can is not None and not can(user, patient):
        if hidden:
            raise Http404("No such patient.")
        raise PermissionDenied("Your role may not do this for this patient.")
    if what:
        record_read(patient, actor=user, what=what)
    return patient


def record_for(
    request: HttpRequest | Any,
    queryset: QuerySet[R],
    record_id: str | uuid.UUID,
    *,
    can: UseCase,
    what: str | None,
    missing: str = "No such record.",
) -> R:
    """One of a patient's records (a report, a questionnaire response) by its public id.

    404 (``missing``) when there is none or ``can(user, record.patient)`` refuses (never a hint that the
    id exists); the staff read is recorded against the record's patient as ``what``.
    """
    user = getattr(request, "user", request)
    record = queryset.filter(public_id=parse_public_id(record_id)).select_related("patient__clinic").first()
    if record is None or not can(user, record.patient):
        raise Http404(missing)
    if what:
        record_read(record.patient, actor=user, what=what)
    return record


def patient_only(view: V) -> V:
    """Views only a patient uses: anonymous → the sign-in page; staff → 403; the patient is passed in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, own_patient(request.user), *args, **kwargs)

    return wrapper  # type: ignore[return-value]

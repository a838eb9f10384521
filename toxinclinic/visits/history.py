"""The patient's toxin history as the engine reads it, the clinic's dose policy and the clinic's date
format for messages. Kept apart from ``services`` so screening and the safety banner can read it
without the visit's write paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import dosing
from toxinclinic.patients.models import Patient
from toxinclinic.visits.models import OutsideInjection, Visit, VisitStatus

#: The clinic's dose policy. Every value is the engine default except the minimum interval, which this
#: clinic enforces as a hard stop: the reference says earlier re-treatment needs a prescriber override
#: with a reason (clinical-reference §5, "configurable; a payer may make it a hard stop").
CLINIC_DOSE_POLICY = dosing.DosePolicy(min_interval_hard=True)


def clinic_date(day: dt.date, clinic: Any = None) -> str:
    """A date in the clinic's format (``accounts.locale.format_date``: ``clinic``'s, or that of the
    clinic being served): the ``format_date`` the engine's messages are written with."""
    return format_date(day, clinic)


def clinic_dates(clinic: Any) -> Callable[[dt.date], str]:
    """``clinic_date`` bound to ``clinic``: the ``format_date`` to hand the engine for one patient."""
    return lambda day: format_date(day, clinic)


def history_sessions(patient: Patient, exclude: Visit | None = None) -> list[dosing.Session]:
    """Every earlier toxin treatment of the patient as engine sessions: signed visits here plus
    injections recorded as given elsewhere (any product, any indication, cosmetic included)."""
    out: list[dosing.Session] = []
    signed = Visit.objects.filter(patient=patient, status=VisitStatus.SIGNED)
    if exclude is not None:
        signed = signed.exclude(pk=exclude.pk)
    for date, product, indication, total in signed.values_list(
        "visit_date", "product", "indication", "total_units"
    ):
        out.append(dosing.Session(date, product, indication, external_total_units=float(total or 0)))
    for o in OutsideInjection.objects.filter(patient=patient).values_list(
        "given_on", "product", "indication", "units"
    ):
        out.append(dosing.Session(o[0], o[1], o[2], external_total_units=float(o[3])))
    return out


def last_signed_visit(patient: Patient, before: Visit | None = None) -> Visit | None:
    qs = Visit.objects.filter(patient=patient, status=VisitStatus.SIGNED)
    if before is not None:
        qs = qs.exclude(pk=before.pk).filter(visit_date__lte=before.visit_date)
    return qs.order_by("-visit_date", "-signed_at").first()

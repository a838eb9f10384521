"""What the server exposes: each FHIR type as one or more row sources, with the search parameters each
supports. Every query is scoped to a clinic (and, for a patient's token, to one patient)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from toxinclinic.accounts.models import Clinic, Location, Role, User
from toxinclinic.diary.models import DiaryEntry, DiaryMonth
from toxinclinic.fhir import codes
from toxinclinic.fhir.serializers import admin, chart, observations, procedures, scheduling
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import (
    Allergy,
    Medication,
    MedicationClass,
    Patient,
    PatientIndication,
    PreventiveTrial,
)
from toxinclinic.safety.models import AdverseEvent
from toxinclinic.scheduling.models import Appointment
from toxinclinic.visits.models import SignedNote, Visit, VisitStatus


@dataclass(frozen=True)
class Source:
    """One table behind a FHIR type. ``expand`` turns a row into its resources (a month is two
    Observations, a visit one MedicationAdministration per site); ``patient``/``date``/``updated`` are ORM
    paths; ``codes`` maps ``system|code`` and bare ``code`` to a filter."""

    key: str
    queryset: Callable[[], QuerySet[Any]]
    expand: Callable[[Any], list[dict[str, Any]]]
    patient: str | None
    date: str | None
    updated: str | None
    clinic: str = "clinic_id"
    codes: Callable[[str | None, str], Q | None] | None = None
    # How to find the row for a read by id (id -> Q, or None when the id cannot be this source's).
    lookup: Callable[[str], Q | None] = lambda rid: None
    # Hot sources (a diary day is most of an export) are read as plain values, not model instances: the
    # fields the serializer needs. ``patient__public_id`` becomes ``row.patient.public_id``.
    values: tuple[str, ...] = ()

    def fetch(self, qs: QuerySet[Any]) -> list[Any]:
        if not self.values:
            return list(qs)
        return [Row(d) for d in qs.values("pk", "patient_id", "patient__public_id", *self.values)]


class _PatientRef:
    __slots__ = ("public_id",)

    def __init__(self, public_id: uuid.UUID) -> None:
        self.public_id = public_id


class Row:
    """A row read with ``.values()``: its fields as attributes, ``patient.public_id`` as on a model."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)
        self.patient = _PatientRef(d["patient__public_id"])


@dataclass(frozen=True)
class FhirType:
    name: str
    sources: tuple[Source, ...]
    params: frozenset[str] = field(default_factory=frozenset)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError):
        return None


def _by_public_id(prefix: str = "", path: str = "public_id") -> Callable[[str], Q | None]:
    def lookup(rid: str) -> Q | None:
        if not rid.startswith(prefix):
            return None
        u = _uuid(rid[len(prefix) :])
        return Q(**{path: u}) if u else None

    return lookup


def _one(fn: Callable[[Any], dict[str, Any]]) -> Callable[[Any], list[dict[str, Any]]]:
    return lambda obj: [fn(obj)]


def _local_code(mapping: dict[str, Q]) -> Callable[[str | None, str], Q | None]:
    def match(system: str | None, code: str) -> Q | None:
        if system not in (None, "", codes.LOCAL):
            return None
        return mapping.get(code)

    return match


def _condition_code(system: str | None, code: str) -> Q | None:
    if system in (None, "", codes.ICD10CM) and code[:1].isalpha() and "." in code:
        return Q(icd10=code)
    if system in (None, "", codes.LOCAL):
        return Q(indication=code)
    return None


def _procedure_code(system: str | None, code: str) -> Q | None:
    for indication, (cpt, _) in codes.CPT_BY_INDICATION.items():
        if code == cpt and system in (None, "", codes.CPT):
            return Q(indication=indication)
    if system in (None, "", codes.LOCAL) and code in codes.CPT_BY_INDICATION:
        return Q(indication=code)
    return None


def _month_lookup(rid: str) -> Q | None:
    # hd-<patient uuid>-YYYY-MM / md-…
    if rid[:3] not in ("hd-", "md-") or len(rid) != 3 + 36 + 8:
        return None
    u = _uuid(rid[3:39])
    try:
        year, month = int(rid[40:44]), int(rid[45:47])
    except ValueError:
        return None
    if u is None or not 1 <= month <= 12:
        return None
    return Q(patient__public_id=u, month=dt.date(year, month, 1))


def _ma_lookup(rid: str) -> Q | None:
    u = _uuid(rid[:36])
    return Q(public_id=u) if u and rid[36:37] == "-" and rid[37:].isdigit() else None


def _questionnaire_code(system: str | None, code: str) -> Q | None:
    prefix = "questionnaire-total-"
    if system in (None, "", codes.LOCAL) and code.startswith(prefix):
        return Q(instrument=code[len(prefix) :])
    return None


def _staff() -> QuerySet[Any]:
    return User.objects.exclude(role=Role.PATIENT)


def _signed_visits() -> QuerySet[Any]:
    return (
        Visit.objects.filter(status=VisitStatus.SIGNED)
        .select_related("patient", "location", "signed_by")
        .prefetch_related("sites")
    )


def _ma_visits() -> QuerySet[Any]:
    return (
        Visit.objects.filter(status=VisitStatus.SIGNED)
        .select_related("patient", "signed_by")
        .prefetch_related("sites", "vial_uses__vial__lot")
    )


_CHART = frozenset({"patient", "_id", "_lastUpdated"})
_DATED = _CHART | {"date"}
_CODED = _DATED | {"code"}

TYPES: dict[str, FhirType] = {
    t.name: t
    for t in [
        FhirType(
            "Patient",
            (
                Source(
                    "patient",
                    lambda: Patient.objects.select_related("clinic"),
                    _one(admin.patient),
                    patient="",
                    date=None,
                    updated="updated_at",
                    lookup=_by_public_id(),
                ),
            ),
            frozenset({"_id", "_lastUpdated"}),
        ),
        FhirType(
            "Practitioner",
            (
                Source(
                    "practitioner",
                    _staff,
                    _one(admin.practitioner),
                    patient=None,
                    date=None,
                    updated=None,
                    lookup=_by_public_id(),
                ),
            ),
            frozenset({"_id"}),
        ),
        FhirType(
            "Organization",
            (
                Source(
                    "organization",
                    Clinic.objects.all,
                    _one(admin.organization),
                    patient=None,
                    date=None,
                    updated=None,
                    clinic="id",
                    lookup=_by_public_id(),
                ),
            ),
            frozenset({"_id"}),
        ),
        FhirType(
            "Location",
            (
                Source(
                    "location",
                    lambda: Location.objects.select_related("clinic"),
                    _one(admin.location),
                    patient=None,
                    date=None,
                    updated=None,
                    lookup=_by_public_id(),
                ),
            ),
            frozenset({"_id"}),
        ),
        FhirType(
            "Condition",
            (
                Source(
                    "condition",
                    lambda: PatientIndication.objects.select_related("patient"),
                    _one(chart.condition),
                    patient="patient",
                    date="diagnosed_on",
                    updated="updated_at",
                    codes=_condition_code,
                    lookup=_by_public_id(),
                ),
            ),
            _CODED,
        ),
        FhirType(
            "AllergyIntolerance",
            (
                Source(
                    "allergy",
                    lambda: Allergy.objects.select_related("patient"),
                    _one(chart.allergy),
                    patient="patient",
                    date="created_at",
                    updated="updated_at",
                    codes=_local_code({"botulinum-toxin": Q(botulinum_toxin=True)}),
                    lookup=_by_public_id(),
                ),
            ),
            _CODED,
        ),
        FhirType(
            "MedicationStatement",
            (
                Source(
                    "medication",
                    lambda: Medication.objects.select_related("patient"),
                    _one(chart.medication),
                    patient="patient",
                    date="started_on",
                    updated="updated_at",
                    codes=_local_code({f"class-{c}": Q(drug_class=c) for c in MedicationClass.values}),
                    lookup=_by_public_id("med-"),
                ),
                Source(
                    "preventive",
                    lambda: PreventiveTrial.objects.select_related("patient"),
                    _one(chart.preventive),
                    patient="patient",
                    date="started_on",
                    updated="updated_at",
                    codes=_local_code({"prior-preventive": Q()}),
                    lookup=_by_public_id("prev-"),
                ),
            ),
            _CODED,
        ),
        FhirType(
            "Observation",
            (
                Source(
                    "diary_day",
                    DiaryEntry.objects.all,
                    _one(observations.diary_day),
                    patient="patient",
                    date="date",
                    updated="updated_at",
                    codes=_local_code({codes.OBS_DIARY_DAY[0]: Q()}),
                    lookup=_by_public_id("day-"),
                    values=observations.DIARY_DAY_FIELDS,
                ),
                Source(
                    "diary_month",
                    DiaryMonth.objects.all,
                    observations.diary_month,
                    patient="patient",
                    date="month",
                    updated="updated_at",
                    codes=_local_code({codes.OBS_HEADACHE_DAYS[0]: Q(), codes.OBS_MIGRAINE_DAYS[0]: Q()}),
                    lookup=_month_lookup,
                    values=observations.DIARY_MONTH_FIELDS,
                ),
                Source(
                    "questionnaire_total",
                    lambda: QuestionnaireResponse.objects.select_related("patient"),
                    _one(observations.questionnaire_total),
                    patient="patient",
                    date="completed_on",
                    updated="completed_at",
                    codes=_questionnaire_code,
                    lookup=_by_public_id("qt-"),
                ),
            ),
            _CODED,
        ),
        FhirType(
            "QuestionnaireResponse",
            (
                Source(
                    "questionnaire",
                    lambda: QuestionnaireResponse.objects.select_related("patient"),
                    _one(observations.questionnaire_response),
                    patient="patient",
                    date="completed_on",
                    updated="completed_at",
                    lookup=_by_public_id(),
                ),
            ),
            _DATED,
        ),
        FhirType(
            "Procedure",
            (
                Source(
                    "procedure",
                    _signed_visits,
                    _one(procedures.procedure),
                    patient="patient",
                    date="visit_date",
                    updated="updated_at",
                    codes=_procedure_code,
                    lookup=_by_public_id(),
                ),
            ),
            _CODED,
        ),
        FhirType(
            "MedicationAdministration",
            (
                Source(
                    "administration",
                    _ma_visits,
                    procedures.administrations,
                    patient="patient",
                    date="visit_date",
                    updated="updated_at",
                    lookup=_ma_lookup,
                ),
            ),
            _DATED,
        ),
        FhirType(
            "AdverseEvent",
            (
                Source(
                    "adverse_event",
                    lambda: AdverseEvent.objects.select_related("patient", "session"),
                    _one(procedures.adverse_event),
                    patient="patient",
                    date="recorded_at",
                    updated="recorded_at",
                    lookup=_by_public_id(),
                ),
            ),
            _DATED,
        ),
        FhirType(
            "Provenance",
            (
                Source(
                    "provenance",
                    lambda: SignedNote.objects.select_related("visit__patient", "signed_by"),
                    _one(procedures.provenance),
                    patient="visit__patient",
                    date="signed_at",
                    updated="signed_at",
                    clinic="visit__clinic_id",
                    lookup=_by_public_id(),
                ),
            ),
            _DATED,
        ),
        FhirType(
            "Appointment",
            (
                Source(
                    "appointment",
                    lambda: Appointment.objects.select_related("patient", "clinician", "location"),
                    _one(scheduling.appointment),
                    patient="patient",
                    date="starts_at",
                    updated="updated_at",
                    lookup=_by_public_id(),
                ),
            ),
            _DATED,
        ),
    ]
}

#: The types whose rows belong to one patient (Bulk Data Patient/Group export; compartment).
PATIENT_TYPES = [name for name, t in TYPES.items() if all(s.patient is not None for s in t.sources)]

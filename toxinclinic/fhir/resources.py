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
from toxinclinic.fhir.serializers.shape import Shape
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
    paths; ``codes`` maps ``system|code`` and bare ``code`` to a filter.

    A source with a ``shape`` is read as plain column values, never model instances (``shape.Shape``):
    the chart and diary tables, which are nearly all of an export. The others are read as instances with
    their relations joined or prefetched (a visit's sites and vials)."""

    key: str
    queryset: Callable[[], QuerySet[Any]]
    patient: str | None
    date: str | None
    updated: str | None
    expand_instance: Callable[[Any], list[dict[str, Any]]] | None = None
    shape: Shape | None = None
    clinic: str = "clinic_id"
    codes: Callable[[str | None, str], Q | None] | None = None
    # How to find the row for a read by id (id -> Q, or None when the id cannot be this source's).
    lookup: Callable[[str], Q | None] = lambda rid: None

    def fetch(self, qs: QuerySet[Any]) -> list[Any]:
        if self.shape is None:
            return list(qs)
        return self.shape.fetch(qs, "pk" if self.patient == "" else f"{self.patient}_id")

    def expand(self, row: Any) -> list[dict[str, Any]]:
        if self.shape is not None:
            return self.shape.expand(row.vals)
        assert self.expand_instance is not None
        return self.expand_instance(row)


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
    if system in (None, "", codes.SNOMED) and code.isdigit():
        icds = [icd for icd, (sct, _) in codes.SNOMED_BY_ICD10.items() if sct == code]
        return Q(icd10__in=icds) if icds else None
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
    if system in (None, "", codes.LOINC):
        keys = [k for k, (loinc, _) in codes.LOINC_BY_INSTRUMENT.items() if loinc == code]
        return Q(instrument__in=keys) if keys else None
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
                    shape=admin.PATIENT,
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
                    expand_instance=_one(admin.practitioner),
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
                    expand_instance=_one(admin.organization),
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
                    expand_instance=_one(admin.location),
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
                    PatientIndication.objects.all,
                    shape=chart.CONDITION,
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
                    Allergy.objects.all,
                    shape=chart.ALLERGY,
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
                    Medication.objects.all,
                    shape=chart.MEDICATION,
                    patient="patient",
                    date="started_on",
                    updated="updated_at",
                    codes=_local_code({f"class-{c}": Q(drug_class=c) for c in MedicationClass.values}),
                    lookup=_by_public_id("med-"),
                ),
                Source(
                    "preventive",
                    PreventiveTrial.objects.all,
                    shape=chart.PREVENTIVE,
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
                    shape=observations.DIARY_DAY,
                    patient="patient",
                    date="date",
                    updated="updated_at",
                    codes=_local_code({codes.OBS_DIARY_DAY[0]: Q()}),
                    lookup=_by_public_id("day-"),
                ),
                Source(
                    "diary_month",
                    DiaryMonth.objects.all,
                    shape=observations.DIARY_MONTH,
                    patient="patient",
                    date="month",
                    updated="updated_at",
                    codes=_local_code({codes.OBS_HEADACHE_DAYS[0]: Q(), codes.OBS_MIGRAINE_DAYS[0]: Q()}),
                    lookup=_month_lookup,
                ),
                Source(
                    "questionnaire_total",
                    QuestionnaireResponse.objects.all,
                    shape=observations.QUESTIONNAIRE_TOTAL,
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
                    expand_instance=_one(observations.questionnaire_response),
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
                    expand_instance=_one(procedures.procedure),
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
                    expand_instance=procedures.administrations,
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
                    expand_instance=_one(procedures.adverse_event),
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
                    expand_instance=_one(procedures.provenance),
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
                    expand_instance=_one(scheduling.appointment),
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

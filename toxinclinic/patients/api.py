"""Chart operations of the JSON API. Validation is the HTML forms' (one set of rules)."""
# No "from __future__ import annotations": ninja resolves the per-kind schemas defined in a closure.

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest
from ninja import Field, Router, Status
from ninja.orm import create_schema
from ninja.pagination import paginate

from toxinclinic.accounts.permissions import (
    can_edit_chart,
    can_edit_clinical_history,
    can_list_patients,
    can_register_patient,
)
from toxinclinic.core.errors import FieldError
from toxinclinic.core.fields import form_field_types
from toxinclinic.core.pagination import Pages
from toxinclinic.core.schemas import Schema, errors
from toxinclinic.patients.access import chart_for
from toxinclinic.patients.forms import PatientForm
from toxinclinic.patients.models import Patient
from toxinclinic.patients.records import KINDS, RecordKind
from toxinclinic.patients.services import (
    create_record,
    delete_record,
    parse_public_id,
    search_patients,
    update_record,
)

API_PREFIX = "/patients"
router = Router(tags=["patients"])


class PatientOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    email: str
    enrolled_on: dt.date
    version: int
    has_portal_account: bool = False

    @staticmethod
    def resolve_has_portal_account(obj: Patient) -> bool:
        return obj.user_id is not None


_PATIENT_TEXT = ["mrn", "first_name", "last_name", "sex", "phone", "email"]
_PatientInText = create_schema(
    Patient,
    name="PatientInText",
    fields=_PATIENT_TEXT,
    custom_fields=form_field_types(PatientForm, _PATIENT_TEXT),
    base_class=Schema,
)
_PatientPatchText = create_schema(
    Patient,
    name="PatientPatchText",
    fields=_PATIENT_TEXT,
    optional_fields="__all__",
    custom_fields=form_field_types(PatientForm, _PATIENT_TEXT, optional=True),
    base_class=Schema,
)


class PatientIn(_PatientInText):  # type: ignore[misc, valid-type]
    """The registration form's fields: its choices and limits are declared from PatientForm."""

    date_of_birth: dt.date
    enrolled_on: dt.date


class PatientPatch(_PatientPatchText):  # type: ignore[misc, valid-type]
    version: int = Field(..., description="The version you read; a stale one gets 409.")
    date_of_birth: dt.date | None = None
    enrolled_on: dt.date | None = None


def _form_data(instance: Any, fields: list[str], changes: dict[str, Any]) -> dict[str, Any]:
    data = model_to_dict(instance, fields=fields) if instance is not None else {}
    data.update({k: v for k, v in changes.items() if v is not None})
    return {k: ("on" if v is True else ("" if v is False or v is None else v)) for k, v in data.items()}


@router.get("", response=list[PatientOut], summary="List or search the clinic's patients")
@paginate(Pages)
def list_patients(request: HttpRequest, q: str = "") -> Any:
    if not can_list_patients(request.user):
        raise PermissionDenied
    return search_patients(request.user, q[:100])


@router.post("", response={201: PatientOut}, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientIn) -> Any:
    if not can_register_patient(request.user):
        raise PermissionDenied
    form = PatientForm(_form_data(None, [], payload.dict()), clinic_id=request.user.clinic_id)
    if not form.is_valid():
        raise FieldError.from_form(form)
    patient = form.save(commit=False)
    patient.clinic_id = request.user.clinic_id
    create_record(patient, actor=request.user, action="patient.created")
    return Status(201, patient)


@router.get("/{patient_id}", response=PatientOut, summary="Read a patient's demographics")
def read_patient(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = chart_for(request, patient_id, what="demographics (API)")
    return patient


@router.patch(
    "/{patient_id}",
    response={200: PatientOut, **errors(409)},
    summary="Change demographics (optimistic locking)",
)
def update_patient(request: HttpRequest, patient_id: uuid.UUID, payload: PatientPatch) -> Any:
    patient = chart_for(request, patient_id, can=can_edit_chart, what=None)
    fields = list(PatientForm._meta.fields)  # type: ignore[arg-type]
    changes = payload.dict(exclude={"version"})
    form = PatientForm(_form_data(patient, fields, changes), instance=patient)
    if not form.is_valid():
        raise FieldError.from_form(form)

    def apply(p: Patient) -> None:
        for name in fields:
            setattr(p, name, form.cleaned_data[name])

    return update_record(patient, payload.version, actor=request.user, action="patient.updated", apply=apply)


def _register_kind(kind: RecordKind) -> None:
    fields = list(kind.form._meta.fields)  # type: ignore[arg-type]
    name = kind.model.__name__
    Out = create_schema(
        kind.model, name=f"{name}Out", fields=["public_id", "version", *fields], base_class=Schema
    )
    In = create_schema(
        kind.model,
        name=f"{name}In",
        fields=fields,
        custom_fields=form_field_types(kind.form, fields),
        base_class=Schema,
    )
    Patch = create_schema(
        kind.model,
        name=f"{name}Patch",
        fields=fields,
        optional_fields="__all__",
        custom_fields=form_field_types(kind.form, fields, optional=True),
        base_class=Schema,
    )

    class PatchWithVersion(Patch):  # type: ignore[misc, valid-type]
        version: int = Field(..., description="The version you read; a stale one gets 409.")

    PatchWithVersion.__name__ = f"{name}PatchVersioned"

    def _record(patient: Patient, record_id: uuid.UUID) -> Any:
        obj = kind.model.objects.filter(patient=patient, public_id=parse_public_id(record_id)).first()
        if obj is None:
            raise Http404(f"No such {kind.label}.")
        return obj

    def _writable(request: HttpRequest, patient_id: uuid.UUID) -> Patient:
        # A write's own audit entry says what changed; no separate read is recorded.
        return chart_for(request, patient_id, can=can_edit_clinical_history, what=None)

    @router.get(
        f"/{{patient_id}}/{kind.slug}",
        response=list[Out],
        summary=f"List {kind.plural.lower()}",
        operation_id=f"list_{kind.slug}",
    )
    def list_records(request: HttpRequest, patient_id: uuid.UUID) -> Any:
        patient = chart_for(request, patient_id, what=f"{kind.slug} (API)")
        return kind.model.objects.filter(patient=patient)

    @router.post(
        f"/{{patient_id}}/{kind.slug}",
        response={201: Out},
        summary=f"Add a {kind.label}",
        operation_id=f"create_{kind.slug}",
    )
    def create(request: HttpRequest, patient_id: uuid.UUID, payload: In) -> Any:  # type: ignore[valid-type]
        patient = _writable(request, patient_id)
        data = _form_data(None, [], payload.dict())  # type: ignore[attr-defined]
        form = kind.form(data, patient=patient)
        if not form.is_valid():
            raise FieldError.from_form(form)
        obj = form.save(commit=False)
        obj.patient = patient
        try:
            saved = create_record(obj, actor=request.user, action=f"{kind.audit_name}.created")
        except IntegrityError as exc:
            # A concurrent save of the same value (a double-clicked "Add") committed between the form's
            # check and this insert: validated again, the form sees it and names the field.
            again = kind.form(data, patient=patient)
            if again.is_valid():
                raise
            raise FieldError.from_form(again) from exc
        return Status(201, saved)

    @router.patch(
        f"/{{patient_id}}/{kind.slug}/{{record_id}}",
        response={200: Out, **errors(409)},
        summary=f"Change a {kind.label}",
        operation_id=f"update_{kind.slug}",
    )
    def update(
        request: HttpRequest, patient_id: uuid.UUID, record_id: uuid.UUID, payload: PatchWithVersion
    ) -> Any:  # type: ignore[valid-type]
        patient = _writable(request, patient_id)
        obj = _record(patient, record_id)
        form = kind.form(
            _form_data(obj, fields, payload.dict(exclude={"version"}, exclude_unset=True)), instance=obj
        )
        if not form.is_valid():
            raise FieldError.from_form(form)

        def apply(o: Any) -> None:
            for f in fields:
                setattr(o, f, form.cleaned_data[f])

        return update_record(
            obj,
            payload.version,
            actor=request.user,  # type: ignore[attr-defined]
            action=f"{kind.audit_name}.updated",
            apply=apply,
        )

    @router.delete(
        f"/{{patient_id}}/{kind.slug}/{{record_id}}",
        response={204: None, **errors(409)},
        summary=f"Remove a {kind.label}",
        operation_id=f"delete_{kind.slug}",
    )
    def delete(request: HttpRequest, patient_id: uuid.UUID, record_id: uuid.UUID, version: int) -> Any:
        patient = _writable(request, patient_id)
        delete_record(
            _record(patient, record_id), version, actor=request.user, action=f"{kind.audit_name}.deleted"
        )
        return Status(204, None)


for _kind in KINDS.values():
    _register_kind(_kind)

"""The chart's sub-record kinds, so one set of views and API operations serves them all."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db import models

from toxinclinic.patients import forms as f
from toxinclinic.patients.models import Allergy, HistoryItem, Medication, PatientIndication, PreventiveTrial


@dataclass(frozen=True)
class RecordKind:
    slug: str
    model: type[models.Model]
    form: type[forms.ModelForm]
    label: str
    plural: str
    audit_name: str
    clinical: bool  # clinical history needs clinical staff to edit


KINDS: dict[str, RecordKind] = {
    k.slug: k
    for k in [
        RecordKind(
            "indications",
            PatientIndication,
            f.IndicationForm,
            "indication",
            "Indications",
            "indication",
            True,
        ),
        RecordKind("allergies", Allergy, f.AllergyForm, "allergy", "Allergies", "allergy", True),
        RecordKind(
            "medications", Medication, f.MedicationForm, "medication", "Medications", "medication", True
        ),
        RecordKind(
            "history", HistoryItem, f.HistoryItemForm, "history item", "Relevant history", "history", True
        ),
        RecordKind(
            "preventives",
            PreventiveTrial,
            f.PreventiveTrialForm,
            "preventive treatment",
            "Prior preventive treatments",
            "preventive",
            True,
        ),
    ]
}

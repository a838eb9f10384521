"""Chart forms. Each validates on the server with a message naming the field and the limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from toxinclinic.patients.models import (
    ICD10_BY_INDICATION,
    Allergy,
    HistoryItem,
    Indication,
    Medication,
    Patient,
    PatientIndication,
    PreventiveTrial,
)

DATE = forms.DateInput(attrs={"type": "date"})


class VersionedForm(forms.ModelForm):
    """Carries the version the user started from, for the stale-update check."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, patient: Patient | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        elif patient is not None and hasattr(self.instance, "patient_id"):
            # A new chart record knows its patient before validation, so per-patient rules can be checked.
            self.instance.patient = patient


def _not_future(value: dt.date | None, label: str) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{label} cannot be in the future (latest allowed: today).")


def _ordered(form: forms.ModelForm, start: str, end: str) -> None:
    a, b = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if a and b and b < a:
        from toxinclinic.accounts.locale import format_date

        form.add_error(end, f"Must be on or after the start date ({format_date(a)}).")


class PatientForm(VersionedForm):
    class Meta:
        model = Patient
        fields = ["mrn", "first_name", "last_name", "date_of_birth", "sex", "phone", "email", "enrolled_on"]
        widgets = {"date_of_birth": DATE, "enrolled_on": DATE}

    def __init__(self, *args: Any, clinic_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id or self.instance.clinic_id

    def clean_date_of_birth(self) -> dt.date:
        dob = self.cleaned_data["date_of_birth"]
        _not_future(dob, "Date of birth")
        if dob < dt.date(1900, 1, 1):
            raise forms.ValidationError("Date of birth must be on or after 1 Jan 1900.")
        return dob

    def clean_enrolled_on(self) -> dt.date:
        value = self.cleaned_data["enrolled_on"]
        _not_future(value, "Enrolment date")
        return value

    def clean_phone(self) -> str:
        # Checked the clinic's way (a US clinic takes 10-digit numbers); letters are always refused.
        from toxinclinic.accounts.locale import validate_phone
        from toxinclinic.accounts.models import Clinic

        return validate_phone(
            self.cleaned_data.get("phone", ""), Clinic.objects.filter(pk=self.clinic_id).first()
        )

    def clean_mrn(self) -> str:
        mrn = self.cleaned_data["mrn"].strip()
        clash = Patient.objects.filter(clinic_id=self.clinic_id, mrn=mrn).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another patient in this clinic already has this MRN.")
        return mrn

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        dob, enrolled = data.get("date_of_birth"), data.get("enrolled_on")
        if dob and enrolled and enrolled < dob:
            self.add_error("enrolled_on", "Enrolment date cannot be before the date of birth.")
        return data


class IndicationForm(VersionedForm):
    class Meta:
        model = PatientIndication
        fields = ["indication", "icd10", "diagnosed_on", "notes"]
        widgets = {"diagnosed_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def clean_indication(self) -> str:
        value = self.cleaned_data["indication"]
        same = PatientIndication.objects.filter(patient_id=self.instance.patient_id, indication=value)
        if self.instance.patient_id and same.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"This patient already has {Indication(value).label.lower()} on the chart; "
                "edit that entry instead of adding it again."
            )
        return value

    def clean_diagnosed_on(self) -> dt.date | None:
        value = self.cleaned_data.get("diagnosed_on")
        _not_future(value, "Diagnosis date")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ind, code = data.get("indication"), data.get("icd10")
        if ind and code and code not in ICD10_BY_INDICATION.get(ind, set()):
            allowed = ", ".join(sorted(ICD10_BY_INDICATION.get(ind, set())))
            self.add_error("icd10", f"{code} does not code this indication; use one of {allowed}.")
        return data


class AllergyForm(VersionedForm):
    class Meta:
        model = Allergy
        fields = ["substance", "botulinum_toxin", "reaction", "severity"]


class MedicationForm(VersionedForm):
    class Meta:
        model = Medication
        fields = ["name", "drug_class", "dose", "started_on", "stopped_on"]
        widgets = {"started_on": DATE, "stopped_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _ordered(self, "started_on", "stopped_on")
        return data


class HistoryItemForm(VersionedForm):
    class Meta:
        model = HistoryItem
        fields = ["condition", "details", "since", "resolved_on"]
        widgets = {"since": DATE, "resolved_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _ordered(self, "since", "resolved_on")
        return data


class PreventiveTrialForm(VersionedForm):
    class Meta:
        model = PreventiveTrial
        fields = [
            "drug",
            "drug_class",
            "dose",
            "at_target_dose",
            "started_on",
            "ended_on",
            "outcome",
            "notes",
        ]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _ordered(self, "started_on", "ended_on")
        for f in ("started_on", "ended_on"):
            try:
                _not_future(data.get(f), f.replace("_", " ").capitalize())
            except forms.ValidationError as e:
                self.add_error(f, e)
        return data

"""The phone form for one diary day. Parsing only: the rules are ``services.validate_day`` (shared with
the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from toxinclinic.core.errors import FieldError
from toxinclinic.diary.validation import (
    FEATURES,
    HOURS_MAX,
    HOURS_MIN,
    HOURS_RANGE,
    CleanDay,
    DayInput,
    validate_day,
)
from toxinclinic.patients.models import Medication, Patient


class AnyOf(forms.MultipleChoiceField):
    """Choices for the widget only; the service checks the ids (so its message names the problem)."""

    def validate(self, value: Any) -> None:
        return None


SEVERITY_CHOICES = [("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")]


class DiaryDayForm(forms.Form):
    #: Shown beside the hours field (the engine's range).
    hours_range = HOURS_RANGE
    headache = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Say whether you had a headache.",
            "invalid_choice": "Headache: yes or no.",
        },
    )
    duration_hours = forms.FloatField(
        label="How many hours did it last?",
        required=False,
        widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": "0.5", "min": f"{HOURS_MIN:g}", "max": f"{HOURS_MAX:g}"}
        ),
        error_messages={"invalid": "Hours: enter a number such as 2 or 4.5."},
    )
    severity = forms.CharField(
        label="Worst pain", required=False, widget=forms.RadioSelect(choices=SEVERITY_CHOICES)
    )
    features = forms.MultipleChoiceField(
        label="What was it like?",
        required=False,
        choices=list(FEATURES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Features: %(value)s is not one of the listed features."},
    )
    medications = AnyOf(label="Medicines taken", required=False, widget=forms.CheckboxSelectMultiple)
    relieved_by_acute = forms.ChoiceField(
        label="Did the medicine help?",
        required=False,
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Did it help: answer yes or no."},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        patient: Patient,
        day: dt.date,
        medicines: list[Medication],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.day = day
        self.medicines = medicines
        self.fields["medications"].choices = [(str(m.public_id), m.name) for m in medicines]  # type: ignore[attr-defined]
        self.clean_day: CleanDay | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        headache = data.get("headache") == "yes"
        relieved = {"yes": True, "no": False}.get(data.get("relieved_by_acute") or "")
        day_input = DayInput(
            headache=headache,
            duration_hours=data.get("duration_hours"),
            severity=data.get("severity") or None,
            features={k: True for k in data.get("features") or []},
            medications=data.get("medications") or [],
            relieved_by_acute=relieved,
            note=data.get("note") or "",
        )
        try:
            self.clean_day = validate_day(self.patient, self.day, day_input, medicines=self.medicines)
        except FieldError as exc:
            for name, msgs in exc.errors.items():
                target = name if name in self.fields else None
                if target is not None and target in self.errors:
                    continue  # the field's own parse error already says what is wrong
                for m in msgs:
                    self.add_error(target, m)
        return data

    @staticmethod
    def initial_for(entry: Any) -> dict[str, Any]:
        if entry is None:
            return {"headache": "yes"}
        return {
            "headache": "yes",
            "duration_hours": entry.duration_hours if entry.headache else None,
            "severity": entry.severity if entry.headache else None,
            "features": [k for k in FEATURES if getattr(entry, k)],
            "medications": [m["id"] for m in entry.acute_medications],
            "relieved_by_acute": ("yes" if entry.relieved_by_acute else "no")
            if entry.acute_medications
            else "",
            "note": entry.note,
            "version": entry.version,
        }

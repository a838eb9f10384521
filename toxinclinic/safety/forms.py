"""Forms for side-effect reports, triage call-backs and adverse-event records (server-side validation)."""

from __future__ import annotations

from typing import Any

from django import forms

from toxinclinic.clinical import triage
from toxinclinic.safety.models import SERIOUSNESS_CRITERIA, AdverseEvent, TriageOutcome

URGENT_CHOICES = [(k, v) for k, v in triage.SYMPTOMS.items() if k in triage.URGENT_SYMPTOMS]
OTHER_CHOICES = [(k, v) for k, v in triage.SYMPTOMS.items() if k not in triage.URGENT_SYMPTOMS]


class SymptomForm(forms.Form):
    symptoms = forms.MultipleChoiceField(
        label="Symptoms",
        required=False,
        choices=list(triage.SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Symptoms: %(value)s is not one of the listed symptoms."},
    )
    other_text = forms.CharField(
        label="Anything else? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Anything else: keep it under 2,000 characters."},
    )


class CallBackForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    notes = forms.CharField(
        label="Call-back notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={
            "required": "Call-back notes: say what the patient said and what you advised.",
            "max_length": "Call-back notes: keep them under 4,000 characters.",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=TriageOutcome.choices,
        error_messages={
            "required": "Outcome: choose what happened.",
            "invalid_choice": "Outcome: %(value)s is not a listed outcome.",
        },
    )
    keep_open = forms.BooleanField(label="Keep the item open (a further call is needed)", required=False)


class AdverseEventForm(forms.ModelForm):
    seriousness_criteria = forms.MultipleChoiceField(
        label="Seriousness criteria",
        required=False,
        choices=list(SERIOUSNESS_CRITERIA.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AdverseEvent
        fields = ["term", "severity", "serious", "seriousness_criteria", "onset_day", "outcome", "notes"]
        labels = {"onset_day": "Onset (days after the injection)", "serious": "Serious adverse event"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, max_onset_day: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_onset_day = max_onset_day
        self.fields["term"].error_messages["required"] = (
            "Term: name the event, e.g. Dysphagia or Eyelid ptosis."
        )
        self.fields["onset_day"].error_messages["required"] = (
            "Onset: enter the day after the injection it began (0 = same day)."
        )

    def clean_onset_day(self) -> int:
        v = self.cleaned_data["onset_day"]
        if self.max_onset_day is not None and v > self.max_onset_day:
            raise forms.ValidationError(
                f"Onset: day {v} is after today (day {self.max_onset_day} since the injection)."
            )
        return v

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        serious = data.get("serious")
        criteria = data.get("seriousness_criteria") or []
        if serious and not criteria:
            self.add_error(
                "seriousness_criteria", "Seriousness criteria: tick at least one for a serious event."
            )
        if criteria and not serious:
            self.add_error("serious", "Serious: tick it, or untick the seriousness criteria.")
        if data.get("outcome") == "fatal" and "death" not in criteria:
            self.add_error(
                "seriousness_criteria", "Seriousness criteria: a fatal outcome must tick 'Resulted in death'."
            )
        return data

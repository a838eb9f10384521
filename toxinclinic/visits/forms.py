"""Visit forms. Each validates on the server with a message naming the field and the limit; the clinical
verdicts come from the engine through ``services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import anatomy, products, protocols, screening
from toxinclinic.inventory.models import PRODUCT_CHOICES
from toxinclinic.inventory.services import EXPIRY_ALERT_DAYS
from toxinclinic.visits.charting import LAST_SESSION
from toxinclinic.visits.checks import MAX_UNITS
from toxinclinic.visits.models import HISTORY_INDICATION_CHOICES, INDICATION_CHOICES, Guidance
from toxinclinic.visits.screening import SCREENING_KEYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
UNITS = {"min_value": Decimal("0"), "max_digits": 8, "decimal_places": 2}


class VisitForm(forms.Form):
    visit_date = forms.DateField(widget=DATE, initial=timezone.localdate)
    indication = forms.ChoiceField(choices=INDICATION_CHOICES)
    product = forms.ChoiceField(choices=PRODUCT_CHOICES, initial="botox")
    location = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, locations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", "—")] + [(str(loc.public_id), loc.name) for loc in locations]

    def clean_visit_date(self) -> dt.date:
        value = self.cleaned_data["visit_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("The visit date cannot be in the future (document on the day).")
        return value


class ScreeningForm(forms.Form):
    """One yes/no per checklist question that applies to the patient (engine keys and wording). No
    question has a default: only a fact on the chart may start it at "yes" (``initial``)."""

    def __init__(self, *args: Any, keys: Sequence[str] = SCREENING_KEYS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in keys:
            question = screening.QUESTIONS[key]
            self.fields[key] = forms.TypedChoiceField(
                label=question,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                coerce=lambda v: v == "yes",
                error_messages={
                    "required": f"Not answered: {question}. Ask the patient and answer yes or no.",
                    "invalid_choice": f"{question}: answer yes or no.",
                },
            )

    def answers(self) -> dict[str, bool]:
        return {k: bool(self.cleaned_data[k]) for k in self.fields}


class ConsentForm(forms.Form):
    discussed_benefits = forms.BooleanField(required=False, label="Benefits discussed")
    discussed_common_effects = forms.BooleanField(
        required=False, label="Common side effects discussed (neck pain, headache, drooping eyelid, weakness)"
    )
    discussed_serious_effects = forms.BooleanField(
        required=False,
        label="Rare serious side effects discussed (spread of toxin effect: swallowing, breathing, speech, "
        "vision; allergic reaction)",
    )
    discussed_alternatives = forms.BooleanField(required=False, label="Alternatives discussed")
    consented_by = forms.ChoiceField(
        choices=[("patient", "The patient"), ("representative", "Legal representative")],
        label="Who consented",
    )
    consenter_name = forms.CharField(max_length=200, label="Name of the person consenting")
    consented_at = forms.DateTimeField(widget=DATETIME, label="When", input_formats=["%Y-%m-%dT%H:%M"])
    notes = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        missing = [
            self.fields[k].label
            for k in (
                "discussed_benefits",
                "discussed_common_effects",
                "discussed_serious_effects",
                "discussed_alternatives",
            )
            if not data.get(k)
        ]
        if missing:
            raise forms.ValidationError(
                "Consent needs every topic discussed; not ticked: " + "; ".join(str(m) for m in missing) + "."
            )
        return data


def protocol_choices(indication: str) -> list[tuple[str, str]]:
    out = []
    for key in protocols.PROTOCOL_KEYS:
        t = protocols.get(key)
        if t.indication == indication:
            out.append((key, t.name))
    return [*out, (LAST_SESSION, "The patient's last session")]


class ProtocolForm(forms.Form):
    protocol = forms.ChoiceField(label="Template")
    pain_side = forms.ChoiceField(
        choices=[("both", "Both sides"), ("left", "Left"), ("right", "Right")],
        required=False,
        initial="both",
        label="Follow-the-pain side",
    )

    def __init__(self, *args: Any, indication: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = protocol_choices(indication)


def muscle_choices(preempt: bool) -> list[tuple[str, str]]:
    keys = protocols.FTP_MAX_SITES if preempt else anatomy.MUSCLES
    return [(m, anatomy.MUSCLE_LABELS[m]) for m in keys]


class VialUseForm(forms.Form):
    vial = forms.ChoiceField(label="Vial (first-expiring first)")
    diluent_ml = forms.DecimalField(
        label="Diluent (mL of preservative-free 0.9% saline)",
        min_value=Decimal("0.1"),
        max_value=Decimal("10"),
        max_digits=5,
        decimal_places=2,
    )
    reconstituted_at = forms.DateTimeField(
        widget=DATETIME, label="Reconstituted at", input_formats=["%Y-%m-%dT%H:%M"]
    )
    units_administered = forms.DecimalField(label="Units administered (U)", **UNITS)
    units_discarded = forms.DecimalField(label="Units discarded (U)", **UNITS)

    def __init__(self, *args: Any, vials: Any = (), today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        soon = f" (within {EXPIRY_ALERT_DAYS} days)"
        self.fields["vial"].choices = [
            (
                str(v.public_id),
                f"{v.lot.product_info.brand} {v.size_units} U · lot {v.lot.lot_number} · expires "
                f"{format_date(v.lot.expiry_date)}"
                f"{soon if (v.lot.expiry_date - today).days <= EXPIRY_ALERT_DAYS else ''}"
                f" · {v.location.name}",
            )
            for v in vials
        ]


class SignForm(forms.Form):
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Clinical note")
    guidance = forms.ChoiceField(choices=Guidance.choices, required=False, label="Guidance used")
    acknowledge_warnings = forms.BooleanField(
        required=False, label="I have reviewed the warnings and screening concerns listed above"
    )


class AmendForm(forms.Form):
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Corrected clinical note"
    )
    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the amendment"
    )


class OutsideInjectionForm(forms.Form):
    given_on = forms.DateField(widget=DATE, label="Date given")
    product = forms.ChoiceField(choices=PRODUCT_CHOICES)
    units = forms.DecimalField(
        label="Units (of that product; never converted)",
        min_value=Decimal("0.01"),
        max_value=MAX_UNITS,
        max_digits=8,
        decimal_places=2,
    )
    indication = forms.ChoiceField(choices=HISTORY_INDICATION_CHOICES)
    where = forms.CharField(max_length=200, label="Where (provider or clinic)")

    def clean_given_on(self) -> dt.date:
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value


INDICATIONS = products.INDICATION_LABELS

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from toxinclinic.accounts.admin import ClinicScopedAdmin
from toxinclinic.fhir.models import BackendClient
from toxinclinic.fhir.smart import parse_scope


class BackendClientForm(forms.ModelForm):
    class Meta:
        model = BackendClient
        fields = ["clinic", "name", "jwks", "scopes", "patient", "active"]

    def clean_jwks(self) -> Any:
        value = self.cleaned_data["jwks"]
        try:
            keys = KeySet.import_key_set(value)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise forms.ValidationError(
                f'Paste the client\'s public key set as {{"keys": [...]}} ({exc}).'
            ) from exc
        if any(k.is_private for k in keys.keys):
            raise forms.ValidationError("Register only the public keys: this set holds a private key.")
        return value

    def clean_scopes(self) -> str:
        value = self.cleaned_data["scopes"]
        for text in value.split():
            s = parse_scope(text)
            if s is None or not (s.read or s.search):
                raise forms.ValidationError(
                    f"{text!r} is not a read scope, e.g. system/*.read or system/Patient.rs."
                )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        patient, clinic = data.get("patient"), data.get("clinic")
        if patient is not None and clinic is not None and patient.clinic_id != clinic.pk:
            self.add_error("patient", "This patient is in another clinic.")
        return data


@admin.register(BackendClient)
class BackendClientAdmin(ClinicScopedAdmin):
    form = BackendClientForm
    list_display = ["name", "client_id", "scopes", "active", "created_at"]
    readonly_fields = ["client_id"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "patient" and not request.user.is_superuser:
            from toxinclinic.patients.models import Patient

            kwargs["queryset"] = Patient.objects.filter(clinic_id=request.user.clinic_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

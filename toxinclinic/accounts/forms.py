from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from toxinclinic.accounts.tokens import LIFETIMES_DAYS


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "That username and password do not match. Check them and try again.",
        "inactive": "This account is inactive. Ask your clinic to reactivate it.",
    }


class AcceptInviteForm(SetPasswordForm):
    pass


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        max_length=6,
        label="6-digit code from your authenticator app",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What it is for",
        help_text="e.g. the name of the app or script that will use it.",
        error_messages={"required": "Name the token so you can tell it apart later."},
    )
    days = forms.TypedChoiceField(
        label="Valid for",
        choices=[(d, f"{d} days") for d in LIFETIMES_DAYS],
        coerce=int,
        initial=90,
    )

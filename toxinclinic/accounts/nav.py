from __future__ import annotations

from typing import Any

from django.urls import reverse

from toxinclinic.core.plugins import NavItem


def nav_items(request: Any) -> list[NavItem]:
    # Everyone signed in may issue their own tokens (a patient's phone app, a clinician's script).
    return [NavItem("API tokens", reverse("accounts:api_tokens"), order=200)]

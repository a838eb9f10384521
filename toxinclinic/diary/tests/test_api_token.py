"""A mobile app saves diary days with a bearer token and no browser session (so no CSRF token)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from toxinclinic.accounts.models import ApiToken
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.testing import today

pytestmark = pytest.mark.django_db


def test_bearer_token_write_needs_no_csrf(world: Any) -> None:
    _, raw = ApiToken.issue(world.user("patient"), "phone app")
    client = Client(enforce_csrf_checks=True)
    r = client.put(
        f"/api/v1/diary/entries/{today()}",
        data=json.dumps({"headache": False}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 201, r.content
    assert DiaryEntry.objects.filter(patient=world.patient).count() == 1


def test_session_write_still_needs_csrf(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("patient"), backend="django.contrib.auth.backends.ModelBackend")
    r = client.put(
        f"/api/v1/diary/entries/{today()}",
        data=json.dumps({"headache": False}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not DiaryEntry.objects.exists()

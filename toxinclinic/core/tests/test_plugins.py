"""Plug-in modules are found per app in WORKFLOW_APPS order, once per process and settings."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from toxinclinic.core.plugins import app_modules


def test_app_modules_follow_the_settings(settings: Any) -> None:
    settings.WORKFLOW_APPS = ["visits", "patients", "scheduling"]
    names = [m.__name__ for m in app_modules("nav")]
    # In the settings' order; an app without the module (patients has no nav) is left out.
    assert names == ["toxinclinic.visits.nav", "toxinclinic.scheduling.nav"]
    settings.WORKFLOW_APPS = ["scheduling", "visits"]
    assert [m.__name__ for m in app_modules("nav")] == [
        "toxinclinic.scheduling.nav",
        "toxinclinic.visits.nav",
    ]


def test_modules_are_looked_up_once_per_settings(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str] = []
    real = importlib.util.find_spec

    def counting(name: str, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", counting)
    # An app order no other test uses, so nothing is cached for it yet.
    settings.WORKFLOW_APPS = ["scheduling", "patients", "diary", "visits"]
    first = app_modules("nav")
    assert looked_up == [f"toxinclinic.{app}.nav" for app in settings.WORKFLOW_APPS]
    looked_up.clear()
    assert app_modules("nav") == first
    assert looked_up == []  # the second call searched nothing
    settings.WORKFLOW_APPS = ["scheduling", "patients", "diary"]
    app_modules("nav")
    assert looked_up == [f"toxinclinic.{app}.nav" for app in settings.WORKFLOW_APPS]  # new settings: again

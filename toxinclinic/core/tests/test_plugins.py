"""Plug-in modules are found per app in WORKFLOW_APPS order, once per process and settings."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.plugins import app_modules


def test_app_modules_follow_the_settings(settings: Any) -> None:
    names = [m.__name__ for m in app_modules("nav")]
    assert "toxinclinic.visits.nav" in names and "toxinclinic.patients.nav" not in names  # no such module
    assert [m.__name__ for m in app_modules("nav")] == names
    settings.WORKFLOW_APPS = ["scheduling", "visits"]
    assert [m.__name__ for m in app_modules("nav")] == [
        "toxinclinic.scheduling.nav",
        "toxinclinic.visits.nav",
    ]

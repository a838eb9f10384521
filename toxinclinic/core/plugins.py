"""How workflow apps plug into the shared rooms without editing them.

An app listed in ``settings.WORKFLOW_APPS`` may provide any of these modules:

- ``urls.py`` with ``urlpatterns`` and ``URL_PREFIX`` (e.g. ``"visits/"``) — mounted by toxinclinic.urls;
- ``api.py`` with ``router`` and ``API_PREFIX`` (e.g. ``"/visits"``) — mounted under /api/v1/;
- ``demo.py`` with ``seed(ctx)`` and ``DEMO_ORDER`` (int; core is 0) — run by ``demo_seed``;
- ``panels.py`` with ``panels(request) -> list[Panel]`` — cards shown on the role's home screen;
- ``nav.py`` with ``nav_items(request) -> list[NavItem]`` — links in the top bar for roles that may use them;
- ``sections.py`` with ``sections(request, patient, page) -> list[Panel]`` — cards an app adds to another
  app's patient page (``page`` names it, e.g. ``"diary"``), so that page need not import the app;
- ``banner.py`` with ``banner_facts(patient, *, exclude=None) -> dict`` — the app's part of the chart's
  safety banner, composed by ``patients.banner``;
- ``lots.py`` with ``recipients(lot) -> list`` — the uses of a lot's vials, for inventory's recall search;
- ``payer.py`` with ``forbids_early(patient) -> bool | None`` — whether the patient's payer refuses an
  injection inside the minimum interval (``None``: not known here), asked by scheduling before booking.

A module that exists is imported for real: an error inside it is an error, never skipped.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Panel:
    """A card on a home screen: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 100


def app_modules(name: str) -> list[ModuleType]:
    """The apps' ``name`` modules, in ``WORKFLOW_APPS`` order."""
    return list(_app_modules(name, tuple(settings.WORKFLOW_APPS)))


@functools.cache
def _app_modules(name: str, apps: tuple[str, ...]) -> tuple[ModuleType, ...]:
    # Looked up once per process: the top bar and the home screen ask on every request, and a module
    # that does not exist costs a file-system search each time (an import error is raised, not cached).
    out = []
    for app in apps:
        dotted = f"toxinclinic.{app}.{name}"
        if importlib.util.find_spec(dotted) is not None:
            out.append(importlib.import_module(dotted))
    return tuple(out)


def home_panels(request: Any) -> list[Panel]:
    panels: list[Panel] = []
    for mod in app_modules("panels"):
        panels.extend(mod.panels(request))
    return sorted(panels, key=lambda p: p.order)


def patient_sections(request: Any, patient: Any, page: str) -> list[Panel]:
    """Cards other apps add to the patient page ``page`` (the page's own app shows them in order)."""
    out: list[Panel] = []
    for mod in app_modules("sections"):
        out.extend(mod.sections(request, patient, page))
    return sorted(out, key=lambda p: p.order)


def nav_items(request: Any) -> list[NavItem]:
    items: list[NavItem] = []
    for mod in app_modules("nav"):
        items.extend(mod.nav_items(request))
    return sorted(items, key=lambda i: i.order)

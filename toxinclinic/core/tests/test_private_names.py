"""No module uses another app's private (``_x``) names: an app's underscore helpers are its own business,
and what other apps need has a public door (``patients.access`` for charts, ``core.errors`` for errors).

The check walks every module's syntax tree (tests, migrations and ``toxinclinic.testing`` aside) and
finds ``from toxinclinic.<other app>.<module> import _x`` and ``<imported other-app module>._x``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: Django's documented model API is spelled with an underscore.
ALLOWED_ATTRIBUTES = {"_meta", "_default_manager", "_base_manager"}
#: Apps whose helpers any module may use (the shared test helpers).
SHARED = {"testing"}
#: Known uses the owners remove (``path:line`` prefixes), each naming its owner. Empty: keep it so.
KNOWN: dict[str, str] = {}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "toxinclinic" else None


def private_uses(source: str, app: str | None) -> list[tuple[int, str]]:
    """``(line, what)`` for every private name of another app that ``source`` (in ``app``) uses."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    imported: dict[str, str] = {}  # local name -> the app it came from
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            other = _app_of(node.module)
            if other is None:
                continue
            for alias in node.names:
                if other not in (app, *SHARED) and _private(alias.name):
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
                imported[alias.asname or alias.name] = other
        elif isinstance(node, ast.Import):
            for alias in node.names:
                other = _app_of(alias.name)
                if other is not None and alias.asname:
                    imported[alias.asname] = other
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and _private(node.attr)
            and node.attr not in ALLOWED_ATTRIBUTES
        ):
            other = imported.get(node.value.id)
            if other is not None and other not in (app, *SHARED):
                found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return sorted(found)


def _modules() -> list[Path]:
    out = []
    for path in sorted((ROOT / "toxinclinic").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or rel.parts[1] in SHARED:
            continue
        out.append(path)
    return out


def test_no_module_uses_another_apps_private_names() -> None:
    bad = []
    for path in _modules():
        rel = path.relative_to(ROOT)
        app = rel.parts[1] if len(rel.parts) > 2 else None
        for line, what in private_uses(path.read_text(encoding="utf-8"), app):
            where = f"{rel.as_posix()}:{line}"
            if not any(where.startswith(k) for k in KNOWN):
                bad.append(f"{where}: {what}")
    assert not bad, "Private helpers used across apps (give them a public door):\n" + "\n".join(bad)


def test_the_walk_sees_the_whole_package() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _modules()}
    assert "toxinclinic/patients/access.py" in names and "toxinclinic/diary/api.py" in names
    assert not any("/tests/" in n or "/migrations/" in n for n in names)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from toxinclinic.diary.api import _own\n", [(1, "from toxinclinic.diary.api import _own")]),
        ("from toxinclinic.diary import views\nviews._describe(1)\n", [(2, "views._describe")]),
        ("import toxinclinic.diary.views as dv\ndv._describe(1)\n", [(2, "dv._describe")]),
        ("from toxinclinic.diary.api import _own as own\n", [(1, "from toxinclinic.diary.api import _own")]),
    ],
)
def test_the_check_finds_private_uses(source: str, expected: list[tuple[int, str]]) -> None:
    assert private_uses(source, "safety") == expected


@pytest.mark.parametrize(
    "source",
    [
        "from toxinclinic.diary.api import _own\n",  # the app's own helper
        "from toxinclinic.testing import _helper\n",  # shared test helpers
        "from toxinclinic.patients.access import own_patient\n",
        "from toxinclinic.patients.models import Patient\nPatient._meta.get_field('mrn')\n",
        "from toxinclinic.diary import services\nservices.__name__\n",
        "from . import _local\n",
    ],
)
def test_the_check_allows_public_and_own_names(source: str) -> None:
    app = "diary" if "diary.api import _own" in source else "safety"
    assert private_uses(source, app) == []

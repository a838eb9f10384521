"""Rooms point one way (``docs/architecture.md``): every ``toxinclinic.<app>`` import, at module level or
inside a function, goes to a lower room, or to a workflow app of the same floor only for a pair allowed
below with its reason; and no module is longer than ~600 lines.

A new app goes into ``ROOMS`` with its floor. The private-name rule (never ``from app import _x``) has
its own test.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # …/toxinclinic

# Floors, bottom to top. Numbers leave room for a floor in between.
ENGINE = 0  # the clinical rules: pure Python, imports nothing of ours
SHARED = 10  # the clinic's common records and helpers; they may use each other
WORKFLOW = 20  # one app per workflow; a sideways import needs a reason in ALLOWED_SIDEWAYS
TOP = 30  # screens that compose several workflows (home pages)
DOOR = 40  # front doors: the JSON API, FHIR
PROJECT = 50  # toxinclinic/urls.py, settings.py, wsgi.py, asgi.py: they mount everything

#: Every app of the package and its floor. A new app is added here (one line).
ROOMS: dict[str, int] = {
    "clinical": ENGINE,
    "core": SHARED,
    "tasklease": SHARED,
    "accounts": SHARED,
    "audit": SHARED,
    "patients": SHARED,
    "treatment": SHARED,
    "messaging": SHARED,
    "demo": SHARED,  # the demo_seed command and its context; each app seeds itself through demo.py
    "testing": SHARED,  # test helpers (fixtures, browser); only tests import them
    "education": WORKFLOW,
    "inventory": WORKFLOW,
    "visits": WORKFLOW,
    "diary": WORKFLOW,
    "outcomes": WORKFLOW,
    "safety": WORKFLOW,
    "scheduling": WORKFLOW,
    "home": TOP,
    "api": DOOR,
    "fhir": DOOR,
    "backup": SHARED,  # the backup/restore commands read the database through its own catalog, no app
    "coverage": TOP,  # prior authorizations and packets: diary, outcomes, treatment and the engine's verdicts
    "coordinator": TOP,  # the worklist joins every workflow's stored facts (and coverage's authorizations)
    "reminders": TOP,  # reads treatment, diary and outcomes facts to decide what to tell a patient
    "cycles": TOP,  # joins treatment, diary, outcomes, safety and visits per cycle
}

#: Sideways imports between workflow apps that are the design, not a debt: (importer, imported) → why.
ALLOWED_SIDEWAYS: dict[tuple[str, str], str] = {
    ("visits", "inventory"): "a visit charts the vials it draws from stock (picker, vial use, demo lots)",
    ("scheduling", "visits"): "the recall list shows each patient's open draft visit for the indication",
}

# TEMPORARY — imports that other helpers remove this session; the lead deletes each line at integration
# (an entry that no longer occurs fails ``test_no_stale_exceptions``, so the list can only shrink).
TEMPORARY: dict[tuple[str, str], str] = {}

#: Modules over the line limit, each with who is splitting it (empty: every module is short enough).
TOO_LONG_FOR_NOW: dict[str, str] = {}
MAX_LINES = 600


def _modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        yield path


def _room_of(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else None  # None: a project module (urls, settings …)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported app) for each ``toxinclinic.<app>`` import anywhere in the module."""
    rel = path.relative_to(PACKAGE)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: ``from . import x`` stays in the module's own package
                base = list(rel.parts[:-1])[: len(rel.parts) - node.level]
                names = [".".join(["toxinclinic", *base, node.module or ""])]
            elif node.module:
                names = [node.module]
                if node.module == "toxinclinic":  # ``from toxinclinic import visits``
                    names = [f"toxinclinic.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "toxinclinic" and len(parts) > 1 and parts[1]:
                yield node.lineno, parts[1]


def _edges() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for path in _modules():
        src = _room_of(path)
        for line, dst in _imports(path):
            if src is not None and dst != src:
                out.setdefault((src, dst), []).append(f"{path.relative_to(PACKAGE)}:{line}")
    return out


def _level(app: str | None) -> int:
    return PROJECT if app is None else ROOMS[app]


def test_every_app_has_a_room() -> None:
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    missing = sorted(apps - ROOMS.keys())
    assert not missing, (
        f"add app(s) {', '.join(missing)} to the rooms table ROOMS in {Path(__file__).name} "
        "with their floor (ENGINE, SHARED, WORKFLOW, TOP or DOOR; see docs/architecture.md)"
    )


def _refused(src: str | None, dst: str) -> str | None:
    """Why ``src`` may not import ``dst`` (``None``: it may). ``src`` ``None`` is a project module."""
    if src is not None and ROOMS[src] == ENGINE:
        return "the engine imports nothing of ours"
    if _level(dst) > _level(src):
        return "up to a higher room"
    if _level(dst) == _level(src) == WORKFLOW and (src, dst) not in ALLOWED_SIDEWAYS:
        return "sideways to another workflow app"
    return None


def test_imports_point_down() -> None:
    bad = []
    for (src, dst), where in sorted(_edges().items(), key=str):
        if dst not in ROOMS or (src is not None and src not in ROOMS):
            continue  # test_every_app_has_a_room says which
        why = _refused(src, dst)
        if why and not ((src, dst) in TEMPORARY and why != "the engine imports nothing of ours"):
            bad.append(f"{src} -> {dst} ({why}): {', '.join(where)}")
    assert not bad, (
        "Imports must point down (docs/architecture.md). Move the shared fact down (patients, treatment, "
        "core) or the composition up (home), or plug in through core.plugins:\n  " + "\n  ".join(bad)
    )


#: Templates that include another app's template sideways, this session (same rules as imports).
TEMPLATE_TEMPORARY: dict[tuple[str, str], str] = {}
_INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+["']([a-z_]+)/""")


def _template_edges() -> dict[tuple[str, str], list[str]]:
    """(app, app whose template it includes or extends) for every template of the package."""
    out: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        rel = path.relative_to(PACKAGE)
        # toxinclinic/templates/<app>/… belongs to <app>; <app>/templates/… to <app>.
        src = rel.parts[1] if rel.parts[0] == "templates" else rel.parts[0]
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for dst in _INCLUDE.findall(line):
                if src in ROOMS and dst in ROOMS and dst != src:
                    out.setdefault((src, dst), []).append(f"{rel}:{n}")
    return out


def test_templates_point_down() -> None:
    """An ``{% include %}`` of another app's template is an import too, only hidden."""
    bad = [
        f"{src} -> {dst} ({why}): {', '.join(where)}"
        for (src, dst), where in sorted(_template_edges().items())
        if (why := _refused(src, dst)) and (src, dst) not in TEMPLATE_TEMPORARY
    ]
    assert not bad, "Templates include only their own or a lower room's templates:\n  " + "\n  ".join(bad)


def test_no_stale_exceptions() -> None:
    edges = _edges()
    stale = sorted(f"{a} -> {b}" for a, b in {**TEMPORARY, **ALLOWED_SIDEWAYS} if (a, b) not in edges)
    tpl = _template_edges()
    stale += sorted(f"{a} -> {b} (template)" for a, b in TEMPLATE_TEMPORARY if (a, b) not in tpl)
    assert not stale, "no longer imported; remove these exceptions: " + ", ".join(stale)
    long_gone = sorted(
        m for m in TOO_LONG_FOR_NOW if not (PACKAGE / m).exists() or _lines(PACKAGE / m) <= MAX_LINES
    )
    assert not long_gone, "now short enough; remove them in TOO_LONG_FOR_NOW: " + ", ".join(long_gone)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_module_over_the_line_limit() -> None:
    long = [
        f"{path.relative_to(PACKAGE)} ({_lines(path)} lines)"
        for path in _modules()
        if path.name != "demo.py"  # demo data (stories, names) may run long
        and str(path.relative_to(PACKAGE)) not in TOO_LONG_FOR_NOW
        and _lines(path) > MAX_LINES
    ]
    assert not long, f"split modules over {MAX_LINES} lines by concern: {long}"


@pytest.mark.parametrize(
    ("src", "dst", "refused"),
    [
        ("diary", "patients", False),
        ("home", "diary", False),
        (None, "home", False),
        ("patients", "diary", True),
        ("core", "home", True),
        ("diary", "outcomes", True),
        ("safety", "api", True),
        ("clinical", "core", True),
    ],
)
def test_the_rule_itself(src: str | None, dst: str, refused: bool) -> None:
    """The check can fail: upward, unlisted sideways and engine imports are refused."""
    assert (_refused(src, dst) is not None) is refused

"""The crash suite: real processes killed with SIGKILL, and a PostgreSQL server restarted under load.

It runs only under ``make crash`` (CRASH=1): it starts its own PostgreSQL server and several app
processes and takes minutes, so ``make test`` collects it and skips it with the reason shown.

One PostgreSQL server per run (port ``CRASH_PG_PORT``, default 55430), one database migrated once, one
clinic built once (``world.build``); each test starts its own web server and worker on it and stops them.
Figures go to ``var/crash/figures.json`` (one entry per test) for docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crash.harness import ROOT, App
from crash.pg import PgServer

ENABLED = os.environ.get("CRASH") == "1"
FIGURES = ROOT / "var" / "crash" / "figures.json"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="crash suite: run it with `make crash` (own PostgreSQL, real processes)")
    for item in items:
        if str(item.fspath).startswith(str(Path(__file__).parent)):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_lockout_between_tests() -> None:
    """The root conftest's version needs the test database; this suite never uses one in-process."""


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    server = PgServer(int(os.environ.get("CRASH_PG_PORT", "55430")))
    try:
        server.init()
        server.start()
        server.createdb("crash")
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def base(pg: PgServer) -> Iterator[dict[str, Any]]:
    """The migrated database and the clinic: ``{"env": ..., "world": ...}``."""
    tmp = Path(tempfile.mkdtemp(prefix="crash-app-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TEST_DB", "DJANGO"))}
    env.update(
        DJANGO_SETTINGS_MODULE="crash.settings",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=pg.url("crash"),
        TOXINCLINIC_DEV="1",
        DEBUG="0",
        DB_CONN_MAX_AGE="60",
        TOXINCLINIC_VAR=str(tmp / "var"),
        CRASH_JOURNAL=str(tmp / "deliveries.log"),
        LOG_LEVEL="WARNING",
    )
    app = App(env=env, tmp=tmp)
    app.manage("migrate", "--noinput", "-v", "0")
    patients, visits = int(os.environ.get("CRASH_PATIENTS", "40")), int(os.environ.get("CRASH_VISITS", "24"))
    world = app.py(f"from crash.world import build\nout = build({patients}, {visits})")
    try:
        yield {"env": env, "world": world, "tmp": tmp}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def app(base: dict[str, Any], tmp_path: Path) -> Iterator[App]:
    a = App(env=dict(base["env"]), tmp=tmp_path)
    try:
        yield a
    finally:
        a.stop_all()
        if sys.exc_info()[0] is not None:
            print(a.log("serve.log"), a.log("worker.log"))


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    got: dict[str, Any] = {}
    yield got
    if got:
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        old = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        FIGURES.write_text(json.dumps({**old, **got}, indent=2, default=str) + "\n")

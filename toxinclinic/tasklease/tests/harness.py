"""Real ``manage.py db_worker`` processes on the test database, for the lease tests and the benchmark.

On PostgreSQL the workers use the test database itself (the tests are transactional, so rows are committed).
On SQLite the test database lives in memory, so it is copied to a file the workers open; the test then reads
and writes that file through ``Shared.py`` (a short Django process), never through its own connection.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Shared:
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def py(self, code: str) -> Any:
        """Run ``code`` in a Django process on the shared database; returns what it assigns to ``out``."""
        prog = f"import django, json; django.setup()\n{code}\nprint('@@' + json.dumps(out, default=str))\n"
        done = subprocess.run(
            [sys.executable, "-c", prog], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-3000:]
        line = [x for x in done.stdout.splitlines() if x.startswith("@@")][-1]
        return json.loads(line[2:])

    def enqueue(self, task: str, *args: Any) -> list[str]:
        """Queue ``task`` (a name in probe_tasks) once per argument tuple; returns the task ids."""
        return self.py(
            "from toxinclinic.tasklease.tests import probe_tasks as p\n"
            f"out = [str(getattr(p, {task!r}).enqueue(*a).id) for a in {list(args)!r}]"
        )

    def rows(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return self.py(
            "from django_tasks_db.models import DBTaskResult\n"
            "from toxinclinic.tasklease.models import TaskLease\n"
            f"ids = {ids!r}\n"
            "leases = {str(x.pk): x for x in TaskLease.objects.filter(pk__in=ids)}\n"
            "out = {str(r.pk): {'status': r.status, 'tries': len(r.worker_ids), 'traceback': r.traceback,"
            " 'failures': leases[str(r.pk)].failures if str(r.pk) in leases else None,"
            " 'advice': leases[str(r.pk)].advice if str(r.pk) in leases else ''}"
            " for r in DBTaskResult.objects.filter(pk__in=ids)}"
        )

    def start_worker(self, *args: str, host: str = "", log: Path | None = None) -> subprocess.Popen[bytes]:
        env = dict(self.env)
        if host:
            env["TASKLEASE_HOST"] = host
        out = open(log, "ab") if log else subprocess.DEVNULL
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
                "--interval",
                "0.2",
                "--no-startup-delay",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def connect(settings_dict: dict[str, Any], connection: Any, tmp_path: Path) -> Shared:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(TOXINCLINIC_DEV="1", DJANGO_SETTINGS_MODULE="toxinclinic.settings", DB_CONN_MAX_AGE="60")
    env.pop("TEST_DB_NAME", None)
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        s = settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return Shared(env=env)


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def children(pid: int) -> set[int]:
    """Direct child processes of ``pid`` (granian's workers), from /proc."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def lines(log: Path, prefix: str) -> list[list[str]]:
    """Log lines starting with ``prefix``, split: [verb, name, pid, time]."""
    if not log.exists():
        return []
    return [ln.split() for ln in log.read_text().splitlines() if ln.startswith(prefix)]

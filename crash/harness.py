"""Real processes for the crash suite: the web server (scripts/serve.sh: granian, several workers), the task
worker (``manage.py db_worker``), Django snippets run in a fresh process, and a plain HTTP client.

Nothing here runs in the test's own process against the database: every write goes through the server
or the worker, and every check reads the database through a separate process (``App.py``), as an
operator would.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toxinclinic.tasklease.tests.harness import children, wait_until

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["ROOT", "children", "wait_until"]


@dataclass
class Reply:
    status: int  # 0: no HTTP answer at all (connection refused or reset)
    body: bytes = b""
    error: str = ""  # the exception's class when there was no answer
    ctype: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int, method: str, path: str, *, token: str = "", body: Any = None, timeout: float = 30,
    headers: dict[str, str] | None = None,
) -> Reply:  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = {"Accept": "application/json", **(headers or {})}
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return Reply(
            resp.status,
            resp.read(),
            ctype=resp.getheader("Content-Type") or "",
            headers={k.lower(): v for k, v in resp.getheaders()},
        )
    except (OSError, http.client.HTTPException) as exc:
        return Reply(0, error=type(exc).__name__)
    finally:
        conn.close()


@dataclass
class App:
    """The app's processes on one database. ``env`` is what every process gets."""

    env: dict[str, str]
    tmp: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def py(self, code: str, timeout: float = 300) -> Any:
        """Run ``code`` in a Django process on the app's database; returns what it assigns to ``out``."""
        prog = f"import django, json; django.setup()\n{code}\nprint('@@' + json.dumps(out, default=str))\n"
        done = subprocess.run(
            [sys.executable, "-c", prog], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-4000:]
        line = [x for x in done.stdout.splitlines() if x.startswith("@@")][-1]
        return json.loads(line[2:])

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
        return done.stdout

    def _start(self, cmd: list[str], log: str, **extra: str) -> subprocess.Popen[bytes]:
        out = open(self.tmp / log, "ab")
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**self.env, **extra}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        out.close()
        self.procs.append(proc)
        return proc

    def serve(self, port: int, workers: int = 2, threads: int = 4) -> subprocess.Popen[bytes]:
        """scripts/serve.sh as in production; returns once it answers /healthz."""
        proc = self._start(
            ["bash", "scripts/serve.sh"], "serve.log", PORT=str(port), WEB_WORKERS=str(workers),
            WEB_THREADS=str(threads), RESPAWN_INTERVAL="0.5", WORKERS_KILL_TIMEOUT="2",
        )  # fmt: skip
        wait_until(lambda: request(port, "GET", "/healthz", timeout=5).status == 200, 120, "the server")
        wait_until(lambda: len(children(proc.pid)) == workers, 60, "every web worker")
        return proc

    def worker(self, *args: str) -> subprocess.Popen[bytes]:
        """One ``manage.py db_worker`` as deploy/ runs it (every queue)."""
        return self._start(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2",
             "--no-reload", "--no-startup-delay", *args],
            "worker.log",
        )  # fmt: skip

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        """Every process this App started, its whole group: TERM, then KILL for what is left."""
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            try:  # granian's workers are in the group too
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def log(self, name: str, tail: int = 3000) -> str:
        path = self.tmp / name
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


def _age(pid: int) -> float:
    """Seconds since process ``pid`` started."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except OSError:
        return 0.0
    started = int(stat[stat.rindex(")") + 2 :].split()[19]) / os.sysconf("SC_CLK_TCK")
    return uptime - started


def kill_web_worker(server: subprocess.Popen[bytes], log: Path, workers: int = 2, settle: float = 2.0) -> int:
    """SIGKILL the oldest of granian's worker processes once every worker granian spawned has started
    (its log says "Started worker-N" as often as "Spawning worker-N") and all ``workers`` have run
    ``settle`` seconds: one worker dies at a time and the other keeps serving, as when one process of a
    server is killed. Returns the victim's pid."""

    def ready() -> bool:
        text = log.read_text(errors="replace") if log.exists() else ""
        if text.count("Started worker-") < text.count("Spawning worker-"):
            return False
        kids = children(server.pid)
        return len(kids) == workers and all(_age(k) >= settle for k in kids)

    wait_until(ready, 180, "the web workers to be up again")
    victim = max(children(server.pid), key=_age)
    os.kill(victim, signal.SIGKILL)
    return victim

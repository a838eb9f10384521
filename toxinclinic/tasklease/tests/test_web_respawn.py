"""scripts/serve.sh: one web worker killed with SIGKILL is replaced; the server keeps answering."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from toxinclinic.tasklease.tests.harness import ROOT, children, connect, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ok(port: int, timeout: float = 2) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def test_a_killed_web_worker_is_respawned_and_requests_keep_succeeding(tmp_path: Path) -> None:
    from django.db import connection

    shared = connect(connection.settings_dict, connection, tmp_path)
    port = _free_port()
    env = dict(shared.env, PORT=str(port), WEB_WORKERS="2", RESPAWN_INTERVAL="0.5")
    server = subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(tmp_path / "serve.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _ok(port), 60, "the server to answer")
        workers = wait_until(lambda: len(w := children(server.pid)) == 2 and w, 30, "two web workers")
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        time.sleep(0.2)
        assert server.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
        # The other worker answers meanwhile; after the respawn interval a new worker joins.
        new = wait_until(lambda: (children(server.pid) - workers) or None, 30, "a new web worker")
        assert victim not in children(server.pid) and len(children(server.pid)) == 2 and new
        # A request the kernel hands to the new worker waits while it imports Django (seconds on a loaded
        # machine), hence the generous timeout: after that short window every request succeeds.
        wait_until(lambda: _ok(port, timeout=15), 60, "the server to answer after the respawn")
        results = [_ok(port, timeout=15) for _ in range(40)]
        assert all(results), results
        assert server.poll() is None
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

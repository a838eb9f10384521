"""``scripts/demo.sh`` as a new user meets it: its task worker is restarted when killed, and a demo stopped
with Ctrl-C a second after it first serves still gets its page narrated on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from toxinclinic.education import narration
from toxinclinic.tasklease.tests.harness import ROOT, Shared, wait_until
from toxinclinic.tasklease.tests.test_web_respawn import _free_port, _ok


def _group(pgid: int, needle: str) -> set[int]:
    """Processes of the process group ``pgid`` whose command line contains ``needle``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid and needle in cmdline:
            found.add(int(entry.name))
    return found


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
    )


def _ctrl_c(demo: subprocess.Popen[bytes]) -> None:
    os.killpg(demo.pid, signal.SIGINT)
    demo.wait(timeout=90)
    wait_until(lambda: not _group(demo.pid, "python"), 30, "every demo process to stop")


@pytest.mark.skipif(not narration.tools_available(), reason="espeak-ng/opusenc not installed")
def test_demo_restarts_its_worker_and_narrates_after_an_early_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k not in ("DATABASE_URL",)}
    env.update(TOXINCLINIC_VAR=str(tmp_path / "var"), PORT=str(port), DEMO_PATIENTS="3", WEB_WORKERS="1")
    env.pop("TEST_DB_NAME", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "demo.log"
    demo = _start(env, log)
    try:
        wait_until(lambda: _ok(port), 600, "the demo to serve")
        time.sleep(1)
        [worker] = wait_until(lambda: _group(demo.pid, "db_worker"), 30, "the demo's task worker")
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: _group(demo.pid, "db_worker") - {worker}, 30, "the worker to be restarted")
        assert _ok(port)
        _ctrl_c(demo)
        demo = _start(env, log)
        wait_until(lambda: _ok(port), 300, "the second start to serve")
        shared = Shared(env=dict(env, DJANGO_SETTINGS_MODULE="toxinclinic.settings", TOXINCLINIC_DEV="1"))
        code = (
            "from toxinclinic.education.models import TreatmentPage\n"
            "pages = TreatmentPage.objects.exclude(published_version=None)\n"
            "out = [p.published_version.audio_status for p in pages]"
        )
        statuses = wait_until(
            lambda: (s := shared.py(code)) and "pending" not in s and s, 300, "the narration after restart"
        )
        assert set(statuses) == {"ready"}, (statuses, log.read_text()[-3000:])
    finally:
        if demo.poll() is None:
            _ctrl_c(demo)

"""A narration cut short by a stopped worker (``make demo`` + Ctrl-C) is retried, never left failed."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from toxinclinic.education import narration
from toxinclinic.education.models import AudioStatus, PageVersion
from toxinclinic.education.tasks import requeue_interrupted_narrations
from toxinclinic.tasklease.tests.harness import Shared, connect, wait_until

needs_tools = pytest.mark.skipif(not narration.tools_available(), reason="espeak-ng/opusenc not installed")


def _children_named(pid: int, name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if comm == name and int(rest[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[list[Shared]]:
    """Filled by the test once its rows exist (on SQLite the workers' database is a copy made then)."""
    made: list[Shared] = []
    yield made
    for s in made:
        s.stop_all()


@needs_tools
@pytest.mark.django_db(transaction=True)
def test_ctrl_c_while_espeak_runs_then_the_next_start_narrates_the_page(
    demo_page: Any, shared: list[Shared], tmp_path: Path
) -> None:
    from django.db import connection

    from toxinclinic.education.tasks import narrate_version

    v = demo_page.published_version
    narrate_version.enqueue(v.pk)
    s = connect(connection.settings_dict, connection, tmp_path)
    shared.append(s)
    worker = s.start_worker(log=tmp_path / "worker-1.log")
    espeak = wait_until(lambda: _children_named(worker.pid, "espeak-ng"), 60, "espeak-ng to run")
    os.killpg(worker.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the worker and espeak-ng
    worker.wait(timeout=60)
    assert espeak and not Path(f"/proc/{espeak[0]}").exists()
    status = s.py(
        "from toxinclinic.education.models import PageVersion\n"
        f"out = PageVersion.objects.get(pk={v.pk}).audio_status"
    )
    assert status == AudioStatus.PENDING  # still honestly "being prepared": it is queued again
    s.start_worker(log=tmp_path / "worker-2.log")
    code = (
        "from toxinclinic.education.models import PageVersion\n"
        f"x = PageVersion.objects.get(pk={v.pk})\nout = [x.audio_status, x.audio.name, x.audio_error]"
    )
    got = wait_until(lambda: (r := s.py(code))[0] != AudioStatus.PENDING and r, 120, "the narration")
    assert got[0] == AudioStatus.READY and got[1].endswith(".opus"), (
        got,
        (tmp_path / "worker-1.log").read_text(),
    )


@pytest.mark.django_db
def test_the_worker_start_requeues_a_narration_a_killed_run_left_failed(demo_page: Any) -> None:
    v = demo_page.published_version
    PageVersion.objects.filter(pk=v.pk).update(
        audio_status=AudioStatus.FAILED, audio_error="espeak-ng failed (-15): no message"
    )
    assert requeue_interrupted_narrations() == 1
    v.refresh_from_db()
    assert v.audio_status == AudioStatus.PENDING and v.audio_error == ""
    [queued] = DBTaskResult.objects.filter(status="READY", task_path__endswith="narrate_version")
    assert queued.args_kwargs["args"] == [v.pk]
    assert requeue_interrupted_narrations() == 0  # already queued: not twice


@pytest.mark.django_db
def test_a_permanent_narration_failure_stays_failed(demo_page: Any) -> None:
    v = demo_page.published_version
    PageVersion.objects.filter(pk=v.pk).update(
        audio_status=AudioStatus.FAILED, audio_error="espeak-ng is not installed (Debian package espeak-ng)."
    )
    assert requeue_interrupted_narrations() == 0
    v.refresh_from_db()
    assert v.audio_status == AudioStatus.FAILED

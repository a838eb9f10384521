"""The leased worker, tested with real ``manage.py db_worker`` processes killed with SIGKILL and SIGINT.

Each of these fails with django-tasks-db's own worker: a killed worker's task stays RUNNING for ever, a
failure is final at once, and nothing is retried.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from toxinclinic.tasklease.tests.harness import Shared, connect, lines, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    from django.db import connection

    s = connect(connection.settings_dict, connection, tmp_path)
    try:
        yield s
    finally:
        s.stop_all()


def test_a_killed_workers_task_is_finished_once_by_another_after_its_lease_expires(
    shared: Shared, tmp_path: Path
) -> None:
    log, release = tmp_path / "log", tmp_path / "release"
    [tid] = shared.enqueue("wait_for_file", (str(log), "t1", str(release)))
    a = shared.start_worker("--lease-seconds", "3", host="machine-a")
    wait_until(lambda: lines(log, "start t1"), 60, "worker A to start the task")
    claimed_at = time.monotonic()
    os.killpg(a.pid, signal.SIGKILL)
    a.wait(timeout=10)
    release.touch()
    assert shared.rows([tid])[tid]["status"] == "RUNNING"  # left behind by the killed worker
    # Another machine: it cannot see that A's process is gone, so only the lease's expiry frees the task.
    shared.start_worker("--lease-seconds", "3", host="machine-b")
    wait_until(lambda: lines(log, "done t1"), 60, "worker B to finish the task")
    assert time.monotonic() - claimed_at >= 2.5  # not before A's lease ran out
    row = shared.rows([tid])[tid]
    assert row["status"] == "SUCCESSFUL" and row["tries"] == 2 and row["failures"] == 1
    starts, dones = lines(log, "start t1"), lines(log, "done t1")
    assert len(starts) == 2 and len(dones) == 1 and starts[0][2] != starts[1][2]


def test_a_worker_on_the_same_host_takes_over_a_dead_holders_task_at_once(
    shared: Shared, tmp_path: Path
) -> None:
    log, release = tmp_path / "log", tmp_path / "release"
    [tid] = shared.enqueue("wait_for_file", (str(log), "t1", str(release)))
    a = shared.start_worker("--lease-seconds", "600")
    wait_until(lambda: lines(log, "start t1"), 60, "worker A to start the task")
    os.killpg(a.pid, signal.SIGKILL)
    a.wait(timeout=10)
    release.touch()
    shared.start_worker("--lease-seconds", "600")
    # Well before the 600 s lease: the holder's pid on this host is gone, so it is re-queued at start.
    wait_until(lambda: lines(log, "done t1"), 60, "the second worker to finish the task")
    assert shared.rows([tid])[tid]["status"] == "SUCCESSFUL"
    assert len(lines(log, "done t1")) == 1


def test_two_workers_never_run_the_same_task_even_past_the_lease(shared: Shared, tmp_path: Path) -> None:
    log = tmp_path / "log"
    # Four tasks run for longer than the 1.5 s lease: only the heartbeat keeps another worker off them.
    args = [(str(log), f"t{i}", 4.0 if i < 4 else 0.05) for i in range(20)]
    ids = shared.enqueue("sleep_for", *args)
    for _ in range(3):
        shared.start_worker("--lease-seconds", "1.5")
    wait_until(lambda: len(lines(log, "done ")) >= 20, 120, "all 20 tasks to finish")
    time.sleep(2)  # a second run, if any, would start within a lease
    starts = Counter(x[1] for x in lines(log, "start "))
    assert set(starts.values()) == {1}, starts
    assert len(lines(log, "done ")) == 20
    rows = shared.rows(ids)
    assert {r["status"] for r in rows.values()} == {"SUCCESSFUL"}
    assert {r["tries"] for r in rows.values()} == {1}
    assert len({x[2] for x in lines(log, "start ")}) >= 2  # the work was shared between processes


def test_a_transient_failure_is_retried_with_back_off_then_failed_with_advice(
    shared: Shared, tmp_path: Path
) -> None:
    log = tmp_path / "log"
    [tid, ok] = shared.enqueue("fail_locked", (str(log), "always"), (str(log), "second", 2))
    shared.start_worker("--max-failures", "3", "--retry-base-seconds", "1")
    wait_until(lambda: shared.rows([tid])[tid]["status"] == "FAILED", 90, "the task to fail for good")
    tries = [float(x[3]) for x in lines(log, "try always ")]
    assert len(tries) == 3
    gaps = [b - a for a, b in itertools.pairwise(tries)]
    assert gaps[0] >= 1.0 and gaps[1] >= 2.0  # 1 s, then doubled
    row = shared.rows([tid])[tid]
    assert row["failures"] == 3 and "Gave up after 3 tries" in row["advice"]
    assert row["traceback"].startswith("Gave up after 3 tries") and "requeue_tasks" in row["traceback"]
    assert shared.rows([ok])[ok]["status"] == "SUCCESSFUL" and len(lines(log, "try second ")) == 2


def test_a_permanent_failure_is_failed_at_once_with_what_to_do(shared: Shared, tmp_path: Path) -> None:
    log = tmp_path / "log"
    [tid] = shared.enqueue("fail_for_good", (str(log), "bad"))
    shared.start_worker("--max-failures", "5", "--retry-base-seconds", "0.2")
    wait_until(lambda: shared.rows([tid])[tid]["status"] == "FAILED", 60, "the task to fail")
    time.sleep(1)
    assert len(lines(log, "try bad ")) == 1
    advice = shared.rows([tid])[tid]["advice"]
    assert "Not retried" in advice and "the chart has no such visit" in advice and "requeue_tasks" in advice


def test_ctrl_c_during_a_child_process_queues_the_task_again_for_the_next_start(
    shared: Shared, tmp_path: Path
) -> None:
    """``make demo`` stopped with Ctrl-C: the terminal signals the worker and its child (espeak-ng)."""
    log = tmp_path / "log"
    [tid] = shared.enqueue("run_child", (str(log), "c1"))
    a = shared.start_worker("--max-failures", "1")
    wait_until(lambda: lines(log, "start c1"), 60, "the task to start its child")
    time.sleep(0.3)
    os.killpg(a.pid, signal.SIGINT)
    assert a.wait(timeout=30) is not None
    assert lines(log, "killed c1")
    row = shared.rows([tid])[tid]
    # Even with --max-failures 1: a stop is not the task's failure.
    assert row["status"] == "READY" and row["failures"] == 0
    shared.start_worker("--max-failures", "1")
    wait_until(lambda: lines(log, "done c1"), 60, "the next start to finish it")
    assert shared.rows([tid])[tid]["status"] == "SUCCESSFUL"


def test_a_worker_that_lost_its_lease_stops_and_writes_nothing(shared: Shared, tmp_path: Path) -> None:
    """As if another worker had re-queued and claimed the task while this one stalled: its heartbeat finds
    the token changed, and the process ends before it could finish the task a second time."""
    log, release = tmp_path / "log", tmp_path / "release"
    [tid] = shared.enqueue("wait_for_file", (str(log), "t1", str(release)))
    a = shared.start_worker("--lease-seconds", "1.5")
    wait_until(lambda: lines(log, "start t1"), 60, "the worker to start the task")
    shared.py(
        "import uuid\nfrom toxinclinic.tasklease.models import TaskLease\n"
        f"out = TaskLease.objects.filter(pk={tid!r}).update(token=uuid.uuid4(), holder='another worker')"
    )
    assert a.wait(timeout=30) == 70
    release.touch()
    time.sleep(0.5)
    assert not lines(log, "done t1")
    row = shared.rows([tid])[tid]
    assert row["status"] == "RUNNING"  # still the other holder's; its lease decides what happens next

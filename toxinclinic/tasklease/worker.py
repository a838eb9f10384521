"""django-tasks-db's worker with a lease: claim, heartbeat, fenced finish, retry with back-off, reaper.

- Claim: inside the backend's locking transaction (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, an
  EXCLUSIVE transaction on SQLite) a conditional UPDATE moves the row READY -> RUNNING and writes a lease
  with a fresh token and an expiry ``lease_seconds`` ahead.
- Heartbeat: a thread renews the expiry after every third of the lease while the task runs. If the renewal
  finds the token gone (another worker re-queued the task after this one stalled), the process exits at
  once, so a task is never run by two workers at the same time.
- Finish: every write of the outcome is conditional on the token; a worker that lost its lease writes nothing.
- Failure: a transient one (see ``policy.is_transient``) puts the task back to READY with ``run_after`` pushed
  out by exponential back-off, until ``max_failures``; then, like a permanent one, FAILED with advice.
- Reaper: every worker, at start and then every quarter lease, re-queues RUNNING tasks whose lease expired,
  whose holder process on this host is gone, or (rows from before leases existed) that started more than a
  lease ago with no lease at all.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from types import FrameType
from typing import Any

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.db.models import F
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from toxinclinic.tasklease import policy
from toxinclinic.tasklease.models import TaskLease

logger = logging.getLogger("django_tasks_db")
# TASKLEASE_HOST lets a test play two machines on one; the reaper trusts "process gone" only on its own host.
HOST = (os.environ.get("TASKLEASE_HOST") or socket.gethostname())[:100]
# Outcome writes that meet a locked database are retried this often before the lease is left to expire.
FINISH_TRIES = 20


@dataclass
class Claim:
    row: DBTaskResult
    token: uuid.UUID
    attempt: policy.Attempt
    renewed_at: float = field(default_factory=time.monotonic)  # when the expiry was last pushed out


def _holder_pid(holder: str) -> int | None:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return int(pid) if host == HOST and pid.isdigit() else None


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _with_lock_retries(fn: Any, *args: Any) -> Any:
    """Run ``fn`` (one transaction) again while the database is locked; re-raise after FINISH_TRIES."""
    for i in range(FINISH_TRIES):
        try:
            return fn(*args)
        except OperationalError:
            if i == FINISH_TRIES - 1:
                raise
            time.sleep(min(2.0, 0.05 * 2**i))
    return None


class Heartbeat(threading.Thread):
    """One thread per worker: renews the lease of the task running now; exits the process if it was taken.

    Long-lived rather than one thread per task: starting and joining a thread per task cost more than the
    rest of the lease together (measured with benchmarks/bench_task_lease.py).
    """

    def __init__(self, lease_seconds: float) -> None:
        super().__init__(name="task-lease-heartbeat", daemon=True)
        self.lease_seconds = lease_seconds
        self.lock = threading.Lock()  # held while renewing, so the claim cannot be released mid-renewal
        self.claim: Claim | None = None

    def hold(self, claim: Claim | None) -> None:
        with self.lock:
            self.claim = claim

    def run(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 6)
            with self.lock:
                claim = self.claim
                # Renewed once a third of the lease has passed: at most half of it goes by unrenewed.
                if claim is None or time.monotonic() - claim.renewed_at < self.lease_seconds / 3:
                    continue
                try:
                    renewed = TaskLease.objects.filter(pk=claim.row.pk, token=claim.token).update(
                        expires_at=timezone.now() + timedelta(seconds=self.lease_seconds)
                    )
                except DatabaseError as exc:  # busy: the lease still has two thirds left; next beat
                    logger.warning("Lease of task id=%s not renewed: %s", claim.row.pk, exc)
                    continue
                if renewed:
                    claim.renewed_at = time.monotonic()
                else:
                    logger.error(
                        "Task id=%s: lease lost to another worker; stopping so it never runs twice at once.",
                        claim.row.pk,
                    )
                    os._exit(70)


class LeaseWorker(Worker):
    def __init__(self, *, limits: policy.Limits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = limits
        self.holder = f"{HOST}:{os.getpid()}:{self.worker_id}"[:200]
        self.finishing = False
        self.exit_after_finish = False
        self._next_reap = 0.0
        self.heartbeat: Heartbeat | None = None

    # -- signals: a second Ctrl-C during the outcome's few writes waits for them instead of losing them
    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.finishing:
            self.running = False
            self.exit_after_finish = True
            return
        super().shutdown(signum, frame)

    # -- the loop: django-tasks-db's, with the reaper and the leased claim
    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s lease=%ss",
            self.worker_id,
            ",".join(self.queue_names),
            self.limits.lease_seconds,
        )
        self.reap_if_due(force=True)
        if self.startup_delay and self.interval:
            time.sleep(min(1.0, self.interval) * (os.getpid() % 100) / 100)  # spread workers started together
        while self.running:
            close_old_connections()
            self.reap_if_due()
            try:
                claim = self.claim_next()
                retrieved = True
            except (OperationalError, InterfaceError) as e:
                # A busy database, or one restarting: keep trying (a batch run stops on anything but busy).
                if self.batch and not is_locked_database_exception(e):
                    raise
                if not is_locked_database_exception(e):
                    logger.warning("Database unavailable (%s); trying again in %s s.", e, self.interval or 1)
                    connections.close_all()
                    time.sleep(self.interval or 1)
                claim, retrieved = None, False
            if claim is not None:
                self.run_task(claim)
            if self.batch and retrieved and claim is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and claim is None:
                time.sleep(self.interval)

    def _ready(self) -> Any:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def claim_next(self) -> Claim | None:
        tasks = self._ready()
        with exclusive_transaction(tasks.db):
            row = tasks.get_locked()
            if row is None:
                return None
            now = timezone.now()
            worker_ids = [*row.worker_ids, self.worker_id]
            took = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.READY).update(
                status=TaskResultStatus.RUNNING, started_at=now, worker_ids=worker_ids
            )
            if not took:
                return None
            token = uuid.uuid4()
            lease_fields = {
                "token": token,
                "holder": self.holder,
                "expires_at": now + timedelta(seconds=self.limits.lease_seconds),
            }
            failures = 0
            if not row.worker_ids:  # first claim: no lease row yet (the reaper adds one only to claimed rows)
                TaskLease.objects.create(task_id=row.pk, **lease_fields)
            elif TaskLease.objects.filter(pk=row.pk).update(**lease_fields):
                failures = TaskLease.objects.filter(pk=row.pk).values_list("failures", flat=True)[0]
            else:
                TaskLease.objects.create(task_id=row.pk, **lease_fields)
        row.status, row.started_at, row.worker_ids = TaskResultStatus.RUNNING, now, worker_ids
        attempt = policy.Attempt(
            task_id=str(row.pk),
            number=len(worker_ids),
            failures_before=failures,
            max_failures=self.limits.max_failures,
        )
        return Claim(row=row, token=token, attempt=attempt)

    def run_task(self, claim: Claim) -> None:  # type: ignore[override]
        db_task_result = claim.row
        self.running_task = True
        if self.heartbeat is None:
            self.heartbeat = Heartbeat(self.limits.lease_seconds)
            self.heartbeat.start()
        self.heartbeat.hold(claim)
        error: BaseException | None = None
        return_value: Any = None
        sender: Any = None
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            sender = type(task.get_backend())
            task_started.send(sender=sender, task_result=task_result)
            with policy.running(claim.attempt):
                if task.takes_context:
                    ctx = TaskContext(task_result=task_result)
                    return_value = task.call(ctx, *task_result.args, **task_result.kwargs)
                else:
                    return_value = task.call(*task_result.args, **task_result.kwargs)
        except BaseException as exc:
            error = exc
        finally:
            self.heartbeat.hold(None)  # before any outcome write releases the token
        self.finishing = True
        try:
            if error is None:
                try:
                    _with_lock_retries(self._finish_successful, claim, return_value)
                except (TypeError, ValueError) as exc:  # the return value cannot be stored as JSON
                    error = exc
            if error is not None:
                _with_lock_retries(self._finish_failed, claim, error)
            if sender is not None and task_finished.has_listeners(sender):
                if error is not None:  # a failure may have re-queued it: read what was stored
                    db_task_result.refresh_from_db()
                task_finished.send(sender=sender, task_result=db_task_result.task_result)
        except DatabaseError:
            logger.exception(
                "Task id=%s: outcome not stored; its lease will expire and it runs again.", claim.row.pk
            )
        finally:
            self.finishing = False
            self.running_task = False
            self._run_tasks += 1
        if self.exit_after_finish:
            sys.exit(1)

    def _release(self, claim: Claim, **lease_fields: Any) -> bool:
        """Give up the claim (conditional on still holding it); False when another worker holds it now."""
        return bool(
            TaskLease.objects.filter(pk=claim.row.pk, token=claim.token).update(
                token=None, expires_at=None, **lease_fields
            )
        )

    def _finish_successful(self, claim: Claim, return_value: Any) -> None:
        """One conditional UPDATE: stored only while this claim's token is still the lease's. The token stays
        on the finished task's lease (harmless: only RUNNING tasks' leases are ever read)."""
        row = claim.row
        now = timezone.now()
        stored = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, lease__token=claim.token
        ).update(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at=now,
            return_value=return_value,
            exception_class_path="",
            traceback="",
        )
        if not stored:
            logger.error("Task id=%s finished after its lease was lost; result discarded.", row.pk)
            return
        row.status, row.finished_at, row.return_value = TaskResultStatus.SUCCESSFUL, now, return_value
        row.exception_class_path = row.traceback = ""

    def _finish_failed(self, claim: Claim, exc: BaseException) -> None:
        row = claim.row
        interrupted = isinstance(exc, KeyboardInterrupt | SystemExit) or (
            not self.running and policy.is_transient(exc)  # a child killed by the same Ctrl-C as us
        )
        message = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction.atomic():
            lease = TaskLease.objects.select_for_update().filter(pk=row.pk, token=claim.token).first()
            if lease is None:
                logger.error("Task id=%s failed after its lease was lost; outcome discarded.", row.pk)
                return
            if interrupted:
                self._release(claim, last_error=f"stopped with the worker ({message})")
                requeue(row, delay=0.0)
                logger.warning("Task id=%s interrupted by the worker's stop; queued again.", row.pk)
                return
            failures = lease.failures + 1
            transient = policy.is_transient(exc)
            if transient and failures < self.limits.max_failures:
                delay = self.limits.backoff_seconds(failures)
                self._release(claim, failures=failures, last_error=message)
                requeue(row, delay=delay, exc=exc)
                logger.warning(
                    "Task id=%s failed (%s); retry %d in %.0f s.", row.pk, message, failures, delay
                )
                return
            advice = failure_advice(row, message, failures, transient)
            self._release(claim, failures=failures, last_error=message, advice=advice)
            mark_failed(row, exc, advice)
            logger.error("Task id=%s failed: %s", row.pk, advice)

    # -- the reaper
    def reap_if_due(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next_reap:
            return
        self._next_reap = now + max(0.5, self.limits.lease_seconds / 4)
        try:
            reap(self.limits)
        except (OperationalError, InterfaceError) as e:
            if self.batch and not is_locked_database_exception(e):
                raise
            logger.warning("Reaper skipped this round: %s", e)


def requeue(row: DBTaskResult, *, delay: float, exc: BaseException | None = None) -> None:
    """RUNNING -> READY, to be claimed again after ``delay`` seconds; the last error stays on the row."""
    fields: dict[str, Any] = {
        "status": TaskResultStatus.READY,
        "run_after": timezone.now() + timedelta(seconds=delay),
    }
    if exc is not None:
        fields["exception_class_path"] = f"{type(exc).__module__}.{type(exc).__qualname__}"
        fields["traceback"] = "".join(traceback.format_exception(exc))
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(**fields)


def mark_failed(row: DBTaskResult, exc: BaseException | None, advice: str) -> None:
    tb = "".join(traceback.format_exception(exc)) if exc is not None else ""
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}" if exc else "worker stopped",
        traceback=f"{advice}\n\n{tb}".strip(),
    )


def failure_advice(row: DBTaskResult, message: str, failures: int, transient: bool) -> str:
    again = f"then queue it again with `manage.py requeue_tasks {row.pk}`."
    if transient:
        return (
            f"Gave up after {failures} tries with back-off; the last: {message}. Check that the database, "
            f"the mail server and the disk are reachable and not full, {again}"
        )
    return (
        f"Failed with {message}. Not retried: this error does not go away by itself. Fix its cause, {again}"
    )


def reap(limits: policy.Limits) -> int:
    """Re-queue RUNNING tasks whose worker is gone; returns how many. Safe to run in every worker at once:
    each re-queue is conditional on the lease token it read."""
    now = timezone.now()
    candidates = list(
        TaskLease.objects.filter(token__isnull=False, task__status=TaskResultStatus.RUNNING)
        .filter(expires_at__lt=now)
        .values_list("pk", "token", "holder")[:200]
    )
    for pk, token, holder in (
        TaskLease.objects.filter(token__isnull=False, task__status=TaskResultStatus.RUNNING)
        .filter(holder__startswith=f"{HOST}:", expires_at__gte=now)
        .values_list("pk", "token", "holder")[:200]
    ):
        pid = _holder_pid(holder)
        if pid is not None and pid != os.getpid() and _process_gone(pid):
            candidates.append((pk, token, holder))
    done = 0
    for pk, token, holder in candidates:
        done += _reap_one(pk, token, holder, limits)
    # Rows claimed before leases existed (or by a plain django-tasks-db worker): no lease, started long ago.
    cutoff = now - timedelta(seconds=limits.lease_seconds)
    for pk in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, lease__isnull=True, started_at__lt=cutoff
    ).values_list("pk", flat=True)[:200]:
        with transaction.atomic():
            TaskLease.objects.get_or_create(task_id=pk, defaults={"failures": 0})
            done += _reap_one(pk, None, "a worker without a lease", limits)
    return done


def _reap_one(pk: Any, token: uuid.UUID | None, holder: str, limits: policy.Limits) -> int:
    with transaction.atomic():
        took = TaskLease.objects.filter(pk=pk, token=token).update(
            token=None,
            expires_at=None,
            failures=F("failures") + 1,
            last_error=f"The worker running it stopped ({holder or 'unknown'}).",
        )
        if not took:
            return 0
        lease = TaskLease.objects.get(pk=pk)
        row = DBTaskResult.objects.get(pk=pk)
        if lease.failures >= limits.max_failures:
            advice = (
                f"Its worker stopped during {lease.failures} tries (killed, out of memory or restarted). "
                "Check the worker's log for what stopped it, then queue it again with "
                f"`manage.py requeue_tasks {pk}`."
            )
            TaskLease.objects.filter(pk=pk).update(advice=advice)
            mark_failed(row, None, advice)
            logger.error("Task id=%s failed: %s", pk, advice)
        else:
            requeue(row, delay=0.0)
            logger.warning("Task id=%s: its worker (%s) stopped; queued again.", pk, holder)
    return 1

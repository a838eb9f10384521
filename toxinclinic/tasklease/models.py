"""A lease on each queued task (django-tasks-db keeps none), and a record of each side effect done once.

django-tasks-db marks a claimed task RUNNING and nothing else, so a task whose worker is killed stays RUNNING
forever. The lease row says who holds the task, until when (renewed by the worker's heartbeat), and how often
it failed; any worker re-queues a task whose lease ran out. See ``worker.py``.
"""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    task = models.OneToOneField(
        DBTaskResult, primary_key=True, on_delete=models.CASCADE, related_name="lease"
    )
    # The holder's claim: a fresh value per claim, cleared when the task is finished or re-queued. Every write
    # of a holder is conditional on it, so a worker that lost its lease can never overwrite the next one's.
    token = models.UUIDField(null=True, blank=True)
    holder = models.CharField(max_length=200, blank=True)  # "host:pid:worker id", for people and the reaper
    expires_at = models.DateTimeField(null=True, blank=True)
    # Counted failures: transient errors and lease expiries (a killed worker); a graceful stop is not one.
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # On a final failure: what happened and what to do.
    advice = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="tasklease_expires_idx")]

    def __str__(self) -> str:
        return f"lease of task {self.task_id}"


class Effect(models.Model):
    """One side effect that must happen once (an e-mail), keyed by an idempotency key.

    Recorded before it is attempted and marked done after, so a re-run after a kill sees the earlier attempt;
    the key travels with the effect (an e-mail's Message-ID), so a repeat is recognisably the same message.
    """

    key = models.CharField(max_length=200, unique=True)
    task_id = models.CharField(max_length=64, blank=True)  # the task that holds or held it
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.key

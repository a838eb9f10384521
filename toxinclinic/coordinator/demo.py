"""Demo worklist: a few outreach attempts and assignments to the demo coordinator, then every patient's row
through its one writer (``rows.refresh``), so the worklist shows each state on the first screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.coordinator import rows, tasks
from toxinclinic.coordinator.models import Assignment, OutreachAttempt, OutreachOutcome

DEMO_ORDER = 90  # after sessions (30), diaries (31), authorizations (60) and appointments


def seed(ctx: Any) -> None:
    rng = ctx.rng_for("coordinator")
    coordinator = ctx.staff.get("coordinator")
    attempts, assigned = [], []
    outcomes = [OutreachOutcome.NO_ANSWER, OutreachOutcome.MESSAGE_LEFT, OutreachOutcome.REACHED]
    for i, pid in enumerate(ctx.patient_ids):
        r = rng.random()
        if r < 0.15:
            attempts.append(
                OutreachAttempt(
                    patient_id=pid,
                    clinic=ctx.clinic,
                    outcome=outcomes[i % 3],
                    note="Demo: called about the next injection.",
                    next_contact_on=ctx.today + dt.timedelta(days=rng.randint(1, 10)),
                    coordinator=coordinator,
                )
            )
        elif r < 0.17:
            attempts.append(
                OutreachAttempt(
                    patient_id=pid,
                    clinic=ctx.clinic,
                    outcome=OutreachOutcome.MOVED_AWAY,
                    coordinator=coordinator,
                )
            )
        if coordinator is not None and rng.random() < 0.2:
            assigned.append(Assignment(patient_id=pid, clinic=ctx.clinic, coordinator=coordinator))
    OutreachAttempt.objects.bulk_create(attempts)
    Assignment.objects.bulk_create(assigned)
    task = ctx.task("worklist", len(ctx.patient_ids))
    rows.refresh(ctx.clinic.pk, ctx.patient_ids, today=ctx.today)
    ctx.advance(task, len(ctx.patient_ids))
    # The periodic refresh keeps the 30-day diary figures current from tomorrow on.
    tasks.ensure_ticking()

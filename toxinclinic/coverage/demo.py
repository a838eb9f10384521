"""Demo authorizations: most treated patients approved (some expiring within 30 days, some with no visits
left), a few submitted, denied or drafted, so the worklist shows each state and every chart has a packet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
from toxinclinic.treatment.models import TreatmentSession

DEMO_ORDER = 60
PAYERS = ("Acme Health", "Blue Ridge Insurance", "Northwind Care")


def seed(ctx: Any) -> None:
    rng = ctx.rng_for("coverage")
    today = ctx.today
    firsts: dict[int, list[dt.date]] = {}
    for pid, d in (
        TreatmentSession.objects.filter(patient_id__in=ctx.patient_ids)
        .order_by("patient_id", "injected_on")
        .values_list("patient_id", "injected_on")
    ):
        firsts.setdefault(pid, []).append(d)
    task = ctx.task("authorizations", len(ctx.patient_ids))
    objs = []
    for i, pid in enumerate(ctx.patient_ids):
        ctx.advance(task)
        dates = firsts.get(pid)
        payer = PAYERS[i % len(PAYERS)]
        r = rng.random()
        if not dates:
            if r < 0.5:
                objs.append(
                    PriorAuthorization(
                        patient_id=pid, clinic=ctx.clinic, payer=payer, status=AuthStatus.DRAFTED
                    )
                )
            continue
        if r < 0.08:
            objs.append(
                PriorAuthorization(
                    patient_id=pid,
                    clinic=ctx.clinic,
                    payer=payer,
                    status=AuthStatus.DENIED,
                    submitted_on=today - dt.timedelta(days=40),
                    decided_on=today - dt.timedelta(days=20),
                    denial_reason="Baseline diary shorter than 28 days; resubmit with a full baseline.",
                )
            )
            continue
        if r < 0.15:
            objs.append(
                PriorAuthorization(
                    patient_id=pid,
                    clinic=ctx.clinic,
                    payer=payer,
                    status=AuthStatus.SUBMITTED,
                    renewal=True,
                    submitted_on=today - dt.timedelta(days=5),
                )
            )
            continue
        start = dates[-1] - dt.timedelta(days=rng.randint(0, 200))
        if r < 0.25:
            end = today + dt.timedelta(days=rng.randint(3, 28))  # expiring within 30 days
        else:
            end = start + dt.timedelta(days=365)
        used = sum(1 for d in dates if start <= d <= end)
        visits = max(used, 2) if r < 0.32 else max(used + 1, 4)  # some with no visits left
        objs.append(
            PriorAuthorization(
                patient_id=pid,
                clinic=ctx.clinic,
                payer=payer,
                status=AuthStatus.APPROVED,
                reference=f"PA-{ctx.seed}-{i:05d}",
                units_per_session=155,
                visits_approved=visits,
                starts_on=start,
                ends_on=end,
                renewal=len(dates) > 2,
                submitted_on=start - dt.timedelta(days=14),
                decided_on=start - dt.timedelta(days=3),
            )
        )
    PriorAuthorization.objects.bulk_create(objs, batch_size=2000)

"""Demo data: the stored cycle outcomes of the demo clinic, recomputed once after every room has seeded
(sessions, diary months and questionnaires are seeded in bulk, past their writers' signals)."""

from __future__ import annotations

from toxinclinic.cycles.outcomes import refresh_clinic
from toxinclinic.demo.context import DemoContext

DEMO_ORDER = 90  # after every room that stores sessions (30), months (31) or questionnaires (32)


def seed(ctx: DemoContext) -> None:
    for clinic in (ctx.clinic, ctx.other_clinic):
        if clinic is not None:
            refresh_clinic(clinic.pk)

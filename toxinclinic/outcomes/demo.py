"""Demo step: questionnaires at baseline, before each re-injection and (PGIC) after each session, with
scores that follow each patient's course (responders improve). Scored by the engine. Deterministic."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from toxinclinic.demo.context import DemoContext
from toxinclinic.outcomes.instruments import INSTRUMENTS, score
from toxinclinic.outcomes.models import QuestionnaireResponse, Timepoint
from toxinclinic.patients.models import Patient, PatientIndication
from toxinclinic.treatment.models import TreatmentSession

DEMO_ORDER = 32
HIT6_LEVELS = ["never", "rarely", "sometimes", "very_often", "always"]


def _midas(rng: random.Random, severity: float) -> dict[str, int]:
    """``severity`` 0..1 scales the disability days."""
    top = int(5 + 25 * severity)
    a = {f"q{i}": rng.randint(0, top) for i in range(1, 6)}
    a["a"] = min(90, int(20 + 60 * severity) + rng.randint(-5, 5))
    a["b"] = max(0, min(10, int(4 + 5 * severity) + rng.randint(-1, 1)))
    return a


def _hit6(rng: random.Random, severity: float) -> dict[str, str]:
    centre = 1 + 3 * severity
    return {f"q{i}": HIT6_LEVELS[max(0, min(4, round(centre + rng.uniform(-1, 1))))] for i in range(1, 7)}


def _twstrs(rng: random.Random, severity: float) -> dict[str, int]:
    a = {f"d{i}": max(0, min(5, round(1 + 3.5 * severity + rng.uniform(-1, 1)))) for i in range(1, 7)}
    best = max(0, round(1 + 4 * severity + rng.uniform(-1, 1)))
    worst = min(10, best + rng.randint(1, 4))
    a.update(
        pain_best=best,
        pain_worst=worst,
        pain_usual=rng.randint(best, worst),
        pain_duration=max(0, min(5, round(1 + 4 * severity))),
        pain_disability=max(0, min(5, round(4 * severity))),
    )
    return a


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng_for("outcomes")
    today = ctx.today
    ind = dict(
        PatientIndication.objects.filter(patient_id__in=ctx.patient_ids).values_list(
            "patient_id", "indication"
        )
    )
    sessions: dict[int, list[TreatmentSession]] = defaultdict(list)
    for s in TreatmentSession.objects.filter(clinic=ctx.clinic).order_by("injected_on"):
        sessions[s.patient_id].append(s)
    # Improvement follows the diary where there is one: headache days in the latest full month vs the first.
    # (The diary's demo step, which runs first, leaves each diarist's course on the context.)
    trend: dict[int, float] = ctx.diary_course
    patients = (
        Patient.objects.filter(pk__in=ctx.patient_ids).only("pk", "clinic_id", "enrolled_on").order_by("pk")
    )
    task = ctx.task("questionnaires", len(ctx.patient_ids))
    rows: list[QuestionnaireResponse] = []
    for p in patients.iterator(chunk_size=2000):
        ctx.advance(task)
        indication = ind.get(p.pk)
        if indication is None or rng.random() < 0.15:
            continue
        ss = sessions.get(p.pk, [])
        improve = trend.get(p.pk, rng.choice([0.5, 0.6, 0.9, 1.0]))
        keys = ("midas", "hit6") if indication == "chronic_migraine" else ("twstrs", "pain_nrs")
        points: list[tuple[dt.date, str, Any, float]] = [
            (p.enrolled_on + dt.timedelta(days=7), Timepoint.BASELINE, None, 0)
        ]
        for i, s in enumerate(ss[1:], 1):
            points.append(
                (s.injected_on - dt.timedelta(days=rng.randint(2, 10)), Timepoint.PRE_INJECTION, ss[i - 1], i)
            )
        n = max(1, len(ss))
        for when, tp, session, k in points:
            if when > today or when < p.enrolled_on:
                continue
            # From 1.0 at baseline towards the patient's final ratio over the cycles.
            sev = max(0.05, min(1.0, 0.8 * (1 - (1 - improve) * min(1.0, k / max(1, n - 1 or 1)))))
            for key in keys:
                answers = {
                    "midas": _midas,
                    "hit6": _hit6,
                    "twstrs": _twstrs,
                    "pain_nrs": lambda r, s_: {"pain": max(0, min(10, round(2 + 7 * s_ + r.uniform(-1, 1))))},
                }[key](rng, sev)
                rows.append(_response(p, key, answers, tp, session, when))
        for s in ss:
            when = s.injected_on + dt.timedelta(days=rng.randint(14, 30))
            nxt = next((x.injected_on for x in ss if x.injected_on > s.injected_on), None)
            if when > today or (nxt and when >= nxt) or rng.random() < 0.2:
                continue
            change = 2 if improve < 0.6 else 3 if improve < 0.85 else 4
            change = max(1, min(7, change + rng.choice([-1, 0, 0, 1])))
            rows.append(_response(p, "pgic", {"change": change}, Timepoint.AFTER_TREATMENT, s, when))
        if len(rows) > 5000:
            QuestionnaireResponse.objects.bulk_create(rows, batch_size=1000)
            rows = []
    QuestionnaireResponse.objects.bulk_create(rows, batch_size=1000)


def _response(
    p: Patient, key: str, answers: dict[str, Any], tp: str, session: Any, when: dt.date
) -> QuestionnaireResponse:
    r = score(INSTRUMENTS[key], answers)
    return QuestionnaireResponse(
        patient_id=p.pk,
        clinic_id=p.clinic_id,
        instrument=key,
        answers=answers,
        total=r.total,
        band=r.band,
        band_label=r.band_label,
        subscores=r.subscores,
        timepoint=tp,
        session=session,
        completed_on=when,
    )

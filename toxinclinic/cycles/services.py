"""One patient's treatment cycles, gathered from the rooms that hold them and judged by the engine.

Reads stored facts only — signed sessions (treatment), the visit's protocol, injector and lots (visits,
inventory), stored diary months (diary), questionnaire totals (outcomes), check-ins and side-effect
reports (safety) — and hands them to :mod:`toxinclinic.clinical.cycles`; it never re-reads diary days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from toxinclinic.clinical import cycles as engine
from toxinclinic.clinical.diary import cycle_of_month
from toxinclinic.clinical.products import INDICATION_LABELS
from toxinclinic.clinical.triage import SYMPTOMS
from toxinclinic.diary.models import DiaryMonth
from toxinclinic.outcomes.models import Instrument, QuestionnaireResponse
from toxinclinic.patients.models import Patient, PatientIndication
from toxinclinic.safety.models import CheckIn, CheckInStatus, SideEffectReport, TriageOutcome
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.visits.models import VialUse, Visit

PROTOCOL_LABELS = {
    "preempt": "PREEMPT fixed sites",
    "preempt_ftp": "PREEMPT with follow-the-pain",
}
SCORE_LABELS = dict(Instrument.choices)


def protocol_label(key: str) -> str:
    if not key:
        return "not recorded"
    if key in PROTOCOL_LABELS:
        return PROTOCOL_LABELS[key]
    if key.startswith("cd_"):
        return "Cervical dystonia: " + key[3:].replace("_", " to the ", 1).replace("_", " ")
    return key.replace("_", " ")


@dataclass
class SessionFacts:
    session: TreatmentSession
    protocol: str = ""
    injector: str = ""
    lots: list[str] = field(default_factory=list)
    check_ins: list[dict[str, Any]] = field(default_factory=list)
    side_effects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def protocol_label(self) -> str:
        return protocol_label(self.protocol)


@dataclass
class CycleView:
    cycle: engine.Cycle
    facts: SessionFacts
    months: list[DiaryMonth]
    scores: list[dict[str, Any]]

    @property
    def changes(self) -> list[tuple[str, float]]:
        """(questionnaire name, change from baseline) for each one answered in this cycle and before."""
        return [(SCORE_LABELS.get(k, k), v) for k, v in self.cycle.score_changes.items()]


@dataclass
class PatientTimeline:
    patient: Patient
    indication: str
    timeline: engine.Timeline
    cycles: list[CycleView]
    months: list[DiaryMonth]
    baseline_responses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def indication_label(self) -> str:
        return INDICATION_LABELS.get(self.indication, self.indication.replace("_", " "))

    @property
    def baseline_scores(self) -> list[tuple[str, float]]:
        return [(SCORE_LABELS.get(k, k), v) for k, v in self.timeline.baseline_scores.items()]

    @property
    def is_migraine(self) -> bool:
        return self.indication == engine.MIGRAINE


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def session_facts(sessions: list[TreatmentSession]) -> dict[int, SessionFacts]:
    """Protocol, injector and lots of each session's visit; its check-ins and side-effect reports."""
    facts = {s.pk: SessionFacts(s) for s in sessions}
    by_visit = {s.visit_id: s.pk for s in sessions}
    visits = Visit.objects.filter(public_id__in=list(by_visit)).select_related("clinician", "signed_by")
    visit_pk: dict[int, int] = {}
    for v in visits:
        f = facts[by_visit[v.public_id]]
        f.protocol = v.protocol
        f.injector = _person(v.clinician or v.signed_by)
        visit_pk[v.pk] = f.session.pk
    for use in VialUse.objects.filter(visit_id__in=list(visit_pk)).select_related("vial__lot"):
        lot = use.vial.lot.lot_number
        lots = facts[visit_pk[use.visit_id]].lots
        if lot not in lots:
            lots.append(lot)
    statuses = dict(CheckInStatus.choices)
    for c in CheckIn.objects.filter(session_id__in=list(facts)).order_by("day_offset"):
        facts[c.session_id].check_ins.append(
            {"day": c.day_offset, "due_on": c.due_on, "status": statuses.get(c.status, c.status)}
        )
    outcomes = dict(TriageOutcome.choices)
    reports = (
        SideEffectReport.objects.filter(session_id__in=list(facts))
        .select_related("triage_item")
        .order_by("reported_at")
    )
    for r in reports:
        item = getattr(r, "triage_item", None)
        outcome = outcomes.get(item.outcome, "") if item is not None and item.outcome else ""
        facts[r.session_id].side_effects.append(
            {
                "day": r.days_since_injection,
                "symptoms": [SYMPTOMS.get(k, k.replace("_", " ")) for k in r.symptoms] or ["other"],
                "urgent": r.level == "urgent",
                "outcome": outcome or ("waiting for review" if item is not None else "recorded"),
            }
        )
    return facts


def indication_for(patient: Patient, sessions: list[TreatmentSession]) -> str:
    if sessions:
        return sessions[-1].indication
    first = PatientIndication.objects.filter(patient=patient).order_by("id").first()
    return first.indication if first is not None else engine.MIGRAINE


def patient_timeline(patient: Patient, today: dt.date | None = None) -> PatientTimeline:
    """The patient's cycles, oldest first, from stored month counts and sessions."""
    today = today or timezone.localdate()
    sessions = list(
        TreatmentSession.objects.filter(patient=patient, injected_on__lte=today).order_by("injected_on", "id")
    )
    months = list(DiaryMonth.objects.filter(patient=patient).order_by("month"))
    responses = list(
        QuestionnaireResponse.objects.filter(patient=patient, completed_on__lte=today)
        .order_by("completed_on", "id")
        .values("instrument", "completed_on", "total")
    )
    dates = [s.injected_on for s in sessions]
    t = engine.timeline(
        indication_for(patient, sessions),
        dates,
        [_month(m) for m in months],
        [engine.Score(r["instrument"], r["completed_on"], r["total"]) for r in responses],
        today,
        interval_days=recall_interval_days(),
    )
    facts = session_facts(sessions)
    month_cycle: dict[int, list[DiaryMonth]] = defaultdict(list)
    for m in months:
        month_cycle[cycle_of_month(m.month, dates)].append(m)
    score_cycle: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in responses:
        score_cycle[engine.score_cycle(r["completed_on"], dates)].append(
            {**r, "label": SCORE_LABELS.get(r["instrument"], r["instrument"])}
        )
    views = [
        CycleView(c, facts[s.pk], month_cycle.get(c.number, []), score_cycle.get(c.number, []))
        for c, s in zip(t.cycles, sessions, strict=True)
    ]
    return PatientTimeline(patient, t.indication, t, views, months, score_cycle.get(0, []))


def _month(m: DiaryMonth) -> engine.MonthCounts:
    return engine.MonthCounts(
        m.month, m.days_in_period, m.days_recorded, m.headache_days, m.migraine_days, m.sufficient
    )


def timeline_dict(pt: PatientTimeline) -> dict[str, Any]:
    """The timeline as plain data (API and CSV use it; no internal ids)."""
    t = pt.timeline
    return {
        "indication": pt.indication,
        "indication_label": pt.indication_label,
        "usable_baseline": t.usable_baseline,
        "baseline": {
            "months": t.baseline.months,
            "days_recorded": t.baseline.days_recorded,
            "headache_days_per_30": t.baseline.headache_per_30,
            "migraine_days_per_30": t.baseline.migraine_per_30,
            "scores": t.baseline_scores,
        },
        "reasons": list(t.reasons),
        "cycles": [_cycle_dict(v) for v in pt.cycles],
    }


def _cycle_dict(v: CycleView) -> dict[str, Any]:
    c, s = v.cycle, v.facts.session
    verdict = c.verdict
    return {
        "number": c.number,
        "start": c.start,
        "end": c.end,
        "current": c.current,
        "session": {
            "id": str(s.public_id),
            "injected_on": s.injected_on,
            "product": s.product_label,
            "total_units": s.total_units,
            "site_count": s.site_count,
            "protocol": v.facts.protocol_label,
            "injector": v.facts.injector,
            "lots": v.facts.lots,
        },
        "check_ins": v.facts.check_ins,
        "side_effects": v.facts.side_effects,
        "diary": {
            "months": [
                {
                    "month": m.month,
                    "days_recorded": m.days_recorded,
                    "days_in_period": m.days_in_period,
                    "complete": m.sufficient,
                    "headache_days": m.headache_days,
                    "migraine_days": m.migraine_days,
                }
                for m in v.months
            ],
            "complete_months": c.counts.months,
            "headache_days_per_30": c.counts.headache_per_30,
            "migraine_days_per_30": c.counts.migraine_per_30,
            "headache_change_per_30": c.headache_change,
            "headache_reduction_pct": c.headache_reduction_pct,
        },
        "questionnaires": [
            {"instrument": r["label"], "completed_on": r["completed_on"], "total": r["total"]}
            for r in v.scores
        ],
        "score_changes": c.score_changes,
        "recall": {
            "window_opens": c.recall.opens,
            "status": c.recall.status,
            "label": c.recall.label,
            "next_session": c.recall.next_session,
        },
        "verdict": None
        if verdict is None
        else {"status": verdict.status, "decision": verdict.decision, "reasons": list(verdict.reasons)},
    }

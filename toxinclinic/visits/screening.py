"""The visit's pre-injection screening: what starts answered (only facts the chart holds, each naming
its source), the hints for the rest, the questions not asked of this patient, and every item's result
from the engine (``clinical.screening``) with the sentence the note prints.

Stored on ``Visit.screening`` as ``{"answers": {key: bool}, "not_applicable": {key: reason},
"sources": {key: sentence}, "at": iso}``; a question is never stored without an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toxinclinic.clinical import dosing, products, screening
from toxinclinic.core.errors import FieldError
from toxinclinic.visits.history import (
    CLINIC_DOSE_POLICY,
    clinic_date,
    clinic_dates,
    history_sessions,
    last_signed_visit,
)
from toxinclinic.visits.models import Visit

SCREENING_KEYS: tuple[str, ...] = screening.KEYS

# Asked afresh at every visit: yesterday's answer says nothing about today's skin.
ASK_EVERY_VISIT = {"infection_at_site"}
NOTHING_RECORDED = "Nothing recorded on the chart — ask the patient."
HINTS = {
    "infection_at_site": "Look at the planned injection sites today.",
    "other_toxin_recent": "No other toxin product on the chart's toxin history — ask the patient "
    "(cosmetic treatment included).",
}


@dataclass
class Prefill:
    """``answers`` holds only what the chart says (always "yes"), ``sources`` the sentence naming where
    each came from, ``hints`` what to ask for the rest, ``not_applicable`` the questions not asked."""

    answers: dict[str, bool] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)


def screening_prefill(visit: Visit, history: list[dosing.Session] | None = None) -> Prefill:
    """What the chart, the last signed visit's screening and the toxin history (``history``: the stored
    history by default) say about this visit's checklist."""
    from toxinclinic.patients.screening import chart_answers, not_applicable

    patient = visit.patient
    out = Prefill(not_applicable=not_applicable(patient, visit.visit_date))
    chart = chart_answers(patient)
    found: dict[str, list[str]] = {k: list(v) for k, v in chart.sources.items()}
    last = last_signed_visit(patient, before=visit)
    if last is not None:
        for key, value in (last.screening.get("answers") or {}).items():
            if key in SCREENING_KEYS and value is True and key not in ASK_EVERY_VISIT:
                found.setdefault(key, []).append(
                    f"answered yes at the visit of {clinic_date(last.visit_date, patient.clinic)}"
                )
    check = dosing.check_session(
        dosing.Session(visit.visit_date, visit.product, visit.indication),
        history_sessions(patient, exclude=visit) if history is None else history,
        CLINIC_DOSE_POLICY,
        format_date=clinic_dates(visit.patient.clinic),
    )
    for f in check.warnings:
        if f.rule == "other_product_recent":
            found.setdefault("other_toxin_recent", []).append(f.message.split(";")[0])
    for key in SCREENING_KEYS:
        if key in out.not_applicable:
            continue
        if key in found:
            out.answers[key] = True
            out.sources[key] = "Yes — " + "; ".join(dict.fromkeys(found[key]))
        else:
            out.hints[key] = HINTS.get(key, NOTHING_RECORDED)
    return out


def screening_answers(visit: Visit) -> dict[str, bool] | None:
    """The saved answers (not-applicable questions left out), or None before the screening is saved."""
    saved = visit.screening.get("answers") if visit.screening else None
    if not saved:
        return None
    return {k: bool(v) for k, v in saved.items() if k in SCREENING_KEYS}


def saved_not_applicable(visit: Visit) -> dict[str, str]:
    return dict((visit.screening or {}).get("not_applicable") or {})


def clean_answers(visit: Visit, answers: Mapping[str, Any]) -> tuple[dict[str, bool], dict[str, str]]:
    """The answers to store and the questions not asked (with reasons), or a FieldError naming every
    question still unanswered (one message each) and every answer that is not yes/no."""
    from toxinclinic.patients.screening import not_applicable

    errors: dict[str, list[str]] = {}
    for k in sorted(set(answers) - set(SCREENING_KEYS)):
        errors[k] = ["Not a screening question."]
    na = not_applicable(visit.patient, visit.visit_date)
    clean: dict[str, bool] = {}
    for key in SCREENING_KEYS:
        value = answers.get(key)
        if key in na:
            # "No" is the same truth as "not asked"; a "yes" contradicts the chart and must be fixed there.
            if value is True:
                errors[key] = [
                    f"{screening.QUESTIONS[key]}: not asked of this patient ({na[key]}); if that is wrong, "
                    "correct the sex or date of birth on the chart first."
                ]
            continue
        if value is None or value == "":
            errors[key] = [f"Not answered: {screening.QUESTIONS[key]}. Ask the patient and answer yes or no."]
        elif not isinstance(value, bool):
            errors[key] = [f"{screening.QUESTIONS[key]}: answer yes (true) or no (false)."]
        else:
            clean[key] = value
    if errors:
        raise FieldError(errors)
    return clean, na


_STATUS_FOR_SEVERITY = {dosing.HARD_STOP: screening.STOP, dosing.WARNING: screening.CONCERN}


def history_items(visit: Visit, history: list[dosing.Session] | None = None) -> list[dict[str, Any]]:
    """The two checklist items that come from the toxin history: time since the last toxin injection
    (any product, any indication) and the cumulative units in the 3-month window — each with the
    engine's finding for it (the visit's own units are not counted here: screening comes before charting).
    """
    hist = history_sessions(visit.patient, exclude=visit) if history is None else history
    check = dosing.check_session(
        dosing.Session(visit.visit_date, visit.product, visit.indication),
        hist,
        CLINIC_DOSE_POLICY,
        format_date=clinic_dates(visit.patient.clinic),
    )
    by_rule = {f.rule: f for f in check.findings}
    interval = by_rule.get("min_interval")
    earlier = sorted((h for h in hist if h.date <= visit.visit_date), key=lambda h: h.date)
    if interval is not None:
        status, reason = _STATUS_FOR_SEVERITY.get(interval.severity, screening.PASS), interval.message + "."
    elif earlier:
        h = earlier[-1]
        status = screening.PASS
        reason = (
            f"Last toxin injection {clinic_date(h.date, visit.patient.clinic)} "
            f"({products.get(h.product).brand}, "
            f"{products.INDICATION_LABELS.get(h.indication, h.indication.replace('_', ' ')).lower()}), "
            f"{(visit.visit_date - h.date).days} days before this visit; at least the minimum interval of "
            f"{CLINIC_DOSE_POLICY.min_interval_days} days."
        )
    else:
        status, reason = screening.PASS, "No earlier toxin injection recorded here or elsewhere."
    items = [
        {
            "key": "time_since_last_toxin",
            "question": "Time since the last toxin injection (any product, any indication)",
            "status": status,
            "reason": reason,
            "sentence": reason,
        }
    ]
    cum = by_rule.get("cumulative_3_month")
    if cum is not None and not cum.value:
        # Screening comes before charting: the visit's own 0 U would read as "Botox 0 U … (today: 0 U)".
        status = screening.PASS
        reason = (
            f"No {visit.product_info.brand} given in the last {CLINIC_DOSE_POLICY.cumulative_window_days} "
            f"days; the limit is {cum.limit:g} U."
        )
    elif cum is not None:
        status, reason = _STATUS_FOR_SEVERITY.get(cum.severity, screening.PASS), cum.message + "."
    else:
        status = screening.PASS
        reason = f"No cumulative limit for {visit.product_info.brand} (units are product-specific)."
    items.append(
        {
            "key": "cumulative_3_months",
            "question": "Cumulative units in the last 3 months",
            "status": status,
            "reason": reason,
            "sentence": reason,
        }
    )
    return items


def screening_items(
    visit: Visit,
    answers: Mapping[str, bool | None] | None = None,
    history: list[dosing.Session] | None = None,
    na: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every checklist item with the engine's status, reason and sentence (the saved answers, questions
    not asked and sources by default), then the two toxin-history items."""
    if answers is None:
        answers = screening_answers(visit) or {}
    if na is None:
        na = saved_not_applicable(visit) if visit.screening.get("answers") else {}
    if sources is None:
        sources = (visit.screening or {}).get("sources") or {}
    given = {k: answers.get(k) for k in SCREENING_KEYS if k not in na}
    result = screening.screen(screening.ScreeningInput(**given), na)
    items = [
        {
            "key": i.key,
            "question": screening.QUESTIONS[i.key],
            "status": i.status,
            "reason": i.reason,
            "answer": i.answer,
            "sentence": i.sentence,
            "source": sources.get(i.key) if i.answer == "yes" else None,
        }
        for i in result
    ]
    return items + history_items(visit, history)

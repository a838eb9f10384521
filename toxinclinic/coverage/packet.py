"""A patient's packet for one payer, as structured data (the JSON) that the PDF renders.

Every number comes from the engine or from a stored derived fact the engine computed (month counts, the
overuse verdict), and each section says where its numbers came from (``source``) and what is missing
(``missing``) instead of leaving a gap: a baseline shorter than 28 recorded days, no diagnosis code on the
chart, no questionnaire before treatment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import billing, eligibility, packet, protocols
from toxinclinic.clinical.diary import month_end, month_start, shift_month
from toxinclinic.clinical.products import INDICATION_LABELS, PRODUCTS
from toxinclinic.coverage import verdicts
from toxinclinic.coverage.models import PriorAuthorization
from toxinclinic.coverage.services import visits_left
from toxinclinic.diary.models import DiaryMonth
from toxinclinic.diary.months import days_between
from toxinclinic.diary.overuse import verdict_for as overuse_verdict
from toxinclinic.outcomes.services import history_for
from toxinclinic.patients.eligibility import preventive_verdict
from toxinclinic.patients.models import Medication, Patient, PatientIndication, PreventiveTrial
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession

SCHEMA = "toxinclinic.packet/1"
MIN_BASELINE_DAYS = 28


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _month(f: verdicts.MonthFigure) -> dict[str, Any]:
    return {
        "month": f.month.isoformat(),
        "days_recorded": f.days_recorded,
        "days_in_period": f.days_in_period,
        "complete": f.sufficient,
        "headache_days": f.headache_days,
        "migraine_days": f.migraine_days,
        "headache_days_per_30": f.headache_days_per_30,
        "migraine_days_per_30": f.migraine_days_per_30,
    }


def _trial(t: PreventiveTrial) -> dict[str, Any]:
    """A chart preventive with the engine's word on it: judged alone by ``preventive_failures`` (an adequate
    trial is >= 8 weeks at target dose, clinical reference §7)."""
    judged: dict[str, Any] = {"counts_as_failure": None, "judgement": "not judged"}
    try:
        one = eligibility.preventive_failures(
            [
                eligibility.PreventiveTrial(
                    drug=t.drug,
                    drug_class=t.drug_class,
                    start=t.started_on,
                    end=t.ended_on,
                    at_target_dose=t.at_target_dose,
                    outcome=t.outcome,
                )
            ],
            required_classes=1,
        )
        judged = {"counts_as_failure": one.met, "judgement": one.reasons[1]}
    except ValueError as exc:
        judged["judgement"] = f"not judged: {exc}"
    return {
        "drug": t.drug,
        "class": t.get_drug_class_display(),
        "dose": t.dose,
        "started_on": t.started_on.isoformat() if t.started_on else None,
        "ended_on": t.ended_on.isoformat() if t.ended_on else None,
        "at_target_dose": t.at_target_dose,
        "outcome": t.get_outcome_display(),
        **judged,
    }


def build(
    patient: Patient, auth: PriorAuthorization | None = None, *, today: dt.date | None = None
) -> dict[str, Any]:
    """The packet for ``patient`` and ``auth`` (its payer; the newest authorization when None)."""
    today = today or timezone.localdate()
    auth = auth or PriorAuthorization.objects.filter(patient=patient).order_by("-id").first()
    missing: list[str] = []
    sessions = list(
        TreatmentSession.objects.filter(patient=patient, injected_on__lte=today)
        .order_by("injected_on", "id")
        .values("injected_on", "product", "total_units", "indication")
    )
    dates = [s["injected_on"] for s in sessions]
    figs = verdicts.month_figures(DiaryMonth.objects.filter(patient=patient).values(*verdicts.MONTH_VALUES))

    # Diagnosis.
    ind = PatientIndication.objects.filter(patient=patient).order_by("-id").first()
    indication = ind.indication if ind else (sessions[-1]["indication"] if sessions else "chronic_migraine")
    diagnosis: dict[str, Any] = {"indication": INDICATION_LABELS.get(indication, indication)}
    if ind:
        diagnosis |= {
            "icd10": ind.icd10,
            "description": billing.DIAGNOSIS_CODES.get(ind.indication, {}).get(ind.icd10, ""),
            "diagnosed_on": ind.diagnosed_on.isoformat() if ind.diagnosed_on else None,
            "source": "the chart's indication",
        }
    else:
        diagnosis |= {"icd10": None, "source": "none on the chart"}
        missing.append("diagnosis: no indication with an ICD-10 code on the chart")

    # Baseline diary: the 3 months before the first injection, or the last 3 full months before any.
    if dates:
        base_end = month_end(shift_month(month_start(dates[0]), -1))
        base_why = f"the 3 calendar months before the first injection ({format_date(dates[0])})"
    else:
        base_end = verdicts.eligibility_end(today)
        base_why = "the last 3 full calendar months"
    base_start = shift_month(month_start(base_end), -2)
    base_months = [f for f in figs if base_start <= f.month <= base_end]
    recorded = sum(f.days_recorded for f in base_months)
    base_missing: list[str] = []
    if recorded < MIN_BASELINE_DAYS:
        base_missing.append(
            f"baseline: {recorded} diary days recorded in {base_why}; at least {MIN_BASELINE_DAYS} are needed"
        )
    for f in base_months:
        if not f.sufficient:
            base_missing.append(
                f"{f.month:%B %Y}: {f.days_recorded} of {f.days_in_period} days recorded (not complete)"
            )
    have = {f.month for f in base_months}
    m = base_start
    while m <= base_end:
        if m not in have:
            base_missing.append(f"{m:%B %Y}: no diary days")
        m = shift_month(m, 1)
    missing += base_missing
    days = days_between(patient, base_start, base_end)
    cm = eligibility.chronic_migraine(days, base_end) if days else None
    baseline = {
        "period": {"start": base_start.isoformat(), "end": base_end.isoformat(), "why": base_why},
        "months": [_month(f) for f in base_months],
        "days_recorded": recorded,
        "diagnosis_verdict": (
            {"status": cm.status, "reasons": list(cm.reasons)}
            if cm
            else {"status": "insufficient_data", "reasons": []}
        ),
        "source": "the diary's stored month counts, counted by the clinic's rules engine; diagnosis by "
        "the engine's chronic migraine rule (ICHD-3 1.3) over the diary days",
        "missing": base_missing,
    }

    # Prior preventives.
    pv, skipped = preventive_verdict(patient)
    trials = [_trial(t) for t in PreventiveTrial.objects.filter(patient=patient).order_by("started_on", "id")]
    if not trials:
        missing.append("prior preventives: none on the chart")
    preventives = {
        "trials": trials,
        "verdict": {"status": pv.status, "reasons": list(pv.reasons), "numbers": pv.numbers},
        "not_judged": skipped,
        "source": "the chart's prior preventives, judged by the engine's preventive-failure rule (AHS 2021: "
        "an adequate trial is at least 8 weeks at the target dose)",
    }

    # Acute medicines and overuse.
    acute = [
        {"name": m.name, "class": m.get_drug_class_display(), "dose": m.dose}
        for m in Medication.objects.filter(patient=patient, stopped_on__isnull=True).order_by("name")
        if m.is_acute
    ]
    moh = overuse_verdict(patient, today)
    medication = {
        "acute": acute,
        "overuse": {
            "status": moh.status,
            "met": moh.met,
            "reasons": list(moh.reasons),
            "end": moh.end.isoformat(),
        },
        "source": "the chart's current medicines; medication overuse (ICHD-3 8.2) judged by the engine "
        "over the stored month counts",
    }

    # Planned procedure.
    product = (auth.product if auth else None) or (sessions[-1]["product"] if sessions else "botox")
    if auth and auth.units_per_session:
        units, units_from = float(auth.units_per_session), "the authorization's approved units"
    elif sessions:
        units, units_from = float(sessions[-1]["total_units"]), "the last signed session"
    else:
        units, units_from = protocols.preempt().total_units, "the PREEMPT protocol (155 U)"
    codes = packet.planned_codes(indication, product, units, interval_days=recall_interval_days())
    planned = {
        "product": PRODUCTS[product].brand if product in PRODUCTS else product,
        "procedure_code": "-".join((codes.procedure_code, *codes.procedure_modifiers)),
        "procedure": codes.procedure_description,
        "drug_code": codes.drug_code,
        "drug_billing_units": codes.drug_billing_units,
        "units_per_session": codes.units_per_session,
        "sessions_per_year": codes.sessions_per_year,
        "reasons": codes.reasons,
        "source": f"units from {units_from}; codes by the engine's billing rules (billing units rounded up)",
    }

    # Renewal: the response after the last two cycles.
    renewal: dict[str, Any] | None = None
    if dates:
        inputs = verdicts.continuation_inputs(figs, dates)
        scales = {h.instrument.key: h for h in history_for(patient)}
        pairs: dict[str, tuple[int, int] | None] = {}
        scale_rows = []
        for key in ("midas", "hit6"):
            h = scales.get(key)
            if h is not None and h.latest.pk != h.baseline.pk:
                pairs[key] = (int(h.baseline.total), int(h.latest.total))
                scale_rows.append(
                    {
                        "instrument": h.instrument.short,
                        "before": h.baseline.total,
                        "before_on": h.baseline.completed_on.isoformat(),
                        "after": h.latest.total,
                        "after_on": h.latest.completed_on.isoformat(),
                    }
                )
            else:
                pairs[key] = None
                inputs.missing.append(
                    f"{key.upper().replace('HIT6', 'HIT-6')}: no response before and after treatment"
                )
        v = verdicts.continuation_verdict(inputs, midas=pairs["midas"], hit6=pairs["hit6"])
        renewal = {
            "cycles": inputs.cycles,
            "sessions": [d.isoformat() for d in dates],
            "baseline_headache_days_per_30": inputs.baseline,
            "current_headache_days_per_30": inputs.current,
            "current_months": [_month(f) for f in inputs.current_months],
            "questionnaires": scale_rows,
            "verdict": (
                {"status": v.status, "decision": v.decision, "reasons": list(v.reasons), "numbers": v.numbers}
                if v
                else None
            ),
            "source": [*inputs.sources, "verdict by the engine's continuation rule (AHS 2021)"],
            "missing": inputs.missing,
        }
        missing += inputs.missing

    authorization = None
    if auth:
        authorization = {
            "payer": auth.payer,
            "status": auth.get_status_display(),
            "reference": auth.reference,
            "renewal": auth.renewal,
            "units_per_session": auth.units_per_session,
            "visits_approved": auth.visits_approved,
            "visits_left": visits_left(auth, dates),
            "starts_on": auth.starts_on.isoformat() if auth.starts_on else None,
            "ends_on": auth.ends_on.isoformat() if auth.ends_on else None,
            "denial_reason": auth.denial_reason,
        }
    return {
        "schema": SCHEMA,
        "prepared_on": today.isoformat(),
        "patient": {
            "name": patient.full_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "age": _age(patient.date_of_birth, today),
            "mrn": patient.mrn,
            "id": str(patient.public_id),
        },
        "authorization": authorization,
        "diagnosis": diagnosis,
        "baseline_diary": baseline,
        "prior_preventives": preventives,
        "acute_medication": medication,
        "planned_procedure": planned,
        "renewal": renewal,
        "missing": missing,
    }

"""The one writer of ``WorklistRow``: gather each patient's facts from the rooms below in a few queries per
chunk of patients, ask the engine (``clinical.worklist``, ``clinical.eligibility``), and upsert the rows.

Called on every write that changes a fact (receivers.py: session recorded, diary saved, side effect
reported or closed, appointment booked/cancelled, authorization changed, outreach, assignment) for one
patient, and for the whole clinic by the nightly task (``tasks.refresh_clinic``) so the 30-day diary figures
move with the calendar. The sort key itself does not depend on the day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import eligibility, worklist
from toxinclinic.coordinator import conf
from toxinclinic.coordinator.models import CLOSING_OUTCOMES, Assignment, OutreachAttempt, WorklistRow
from toxinclinic.coverage import services as coverage
from toxinclinic.coverage import verdicts
from toxinclinic.coverage.models import PriorAuthorization
from toxinclinic.diary.models import DiaryEntry, DiaryMonth
from toxinclinic.diary.months import days_between
from toxinclinic.patients.models import Patient
from toxinclinic.safety.models import Level, TriageItem, TriageStatus
from toxinclinic.scheduling.appointments import has_booked_or_open, next_appointments
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession

CHUNK = 2000
UPDATE_FIELDS = [
    f.name for f in WorklistRow._meta.concrete_fields if f.name not in ("id", "patient") and not f.primary_key
]


def _chunks(ids: Sequence[int], n: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


def refresh(clinic_id: int, patient_ids: Iterable[int] | None = None, *, today: dt.date | None = None) -> int:
    """Recompute and store the rows of ``patient_ids`` (default: every patient of the clinic). Returns the
    number of rows written."""
    today = today or timezone.localdate()
    if patient_ids is None:
        ids = list(Patient.objects.filter(clinic_id=clinic_id).order_by("id").values_list("id", flat=True))
    else:
        ids = sorted(set(patient_ids))
    n = 0
    for chunk in _chunks(ids, CHUNK):
        rows = build_rows(clinic_id, chunk, today)
        WorklistRow.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["patient"], update_fields=UPDATE_FIELDS
        )
        n += len(rows)
    return n


def refresh_patient(patient: Patient | int, clinic_id: int | None = None) -> None:
    pid = patient if isinstance(patient, int) else patient.pk
    cid = (
        clinic_id
        if clinic_id is not None
        else Patient.objects.values_list("clinic_id", flat=True).get(pk=pid)
    )
    refresh(cid, [pid])


def build_rows(clinic_id: int, ids: Sequence[int], today: dt.date) -> list[WorklistRow]:
    """The rows for ``ids`` (one clinic), from about ten queries whatever the number of patients."""
    interval, grace, warn = recall_interval_days(), conf.grace_days(), conf.auth_warn_days()
    patients = {p["id"]: p for p in Patient.objects.filter(pk__in=ids, clinic_id=clinic_id).values("id")}
    sessions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in (
        TreatmentSession.objects.filter(patient_id__in=ids, injected_on__lte=today)
        .order_by("patient_id", "injected_on", "id")
        .values("patient_id", "injected_on", "product", "total_units")
    ):
        sessions[s["patient_id"]].append(s)
    booked = has_booked_or_open(clinic_id, ids)
    appts = next_appointments(clinic_id, ids, kind="injection")
    start30 = today - dt.timedelta(days=29)
    diary30 = {
        r["patient_id"]: r
        for r in DiaryEntry.objects.filter(patient_id__in=ids, date__range=(start30, today))
        .values("patient_id")
        .annotate(n=Count("id"), hd=Count("id", filter=Q(headache_day=True)))
    }
    months: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in DiaryMonth.objects.filter(patient_id__in=ids).values(*verdicts.MONTH_VALUES):
        months[m["patient_id"]].append(m)
    auths: dict[int, PriorAuthorization] = {}
    for a in PriorAuthorization.objects.filter(patient_id__in=ids).order_by("patient_id", "-id"):
        auths.setdefault(a.patient_id, a)
    urgent = set(
        TriageItem.objects.filter(patient_id__in=ids, level=Level.URGENT)
        .exclude(status=TriageStatus.CLOSED)
        .values_list("patient_id", flat=True)
    )
    outreach: dict[int, dict[str, Any]] = {}
    for o in (
        OutreachAttempt.objects.filter(patient_id__in=ids)
        .order_by("patient_id", "-at", "-id")
        .values("patient_id", "outcome", "at", "next_contact_on")
    ):
        outreach.setdefault(o["patient_id"], o)
    assigned = dict(Assignment.objects.filter(patient_id__in=ids).values_list("patient_id", "coordinator_id"))

    out: list[WorklistRow] = []
    for pid in ids:
        if pid not in patients:
            continue
        ss = sessions.get(pid, [])
        last = ss[-1] if ss else None
        dates = [s["injected_on"] for s in ss]
        auth = auths.get(pid)
        left = coverage.visits_left(auth, dates) if auth else None
        expires = auth.ends_on if auth is not None and auth.status == "approved" else None
        o = outreach.get(pid)
        closed = bool(o and o["outcome"] in CLOSING_OUTCOMES)
        facts = worklist.PatientFacts(
            last["injected_on"] if last else None,
            booked=pid in booked,
            urgent_side_effect=pid in urgent,
            auth_expires_on=expires,
            auth_visits_left=left,
            closed=closed,
            interval_days=interval,
            grace_days=grace,
            auth_warn_days=warn,
        )
        key = worklist.sort_key(facts, format_date)
        figs = verdicts.month_figures(months.get(pid, []))
        if ss:
            inputs = verdicts.continuation_inputs(figs, dates)
            shown = verdicts.shown("continuation", verdicts.continuation_verdict(inputs), inputs.missing)
            baseline = inputs.baseline
        else:
            shown = _eligibility(pid, today)
            base = [f for f in figs if f.sufficient][-verdicts.BASELINE_MONTHS :]
            baseline = verdicts.mean_per_30(base) if base else None
        d30 = diary30.get(pid)
        recorded = d30["n"] if d30 else None
        appt = appts.get(pid)
        out.append(
            WorklistRow(
                patient_id=pid,
                clinic_id=clinic_id,
                last_session_on=last["injected_on"] if last else None,
                last_product=last["product"] if last else "",
                last_units=last["total_units"] if last else None,
                session_count=len(ss),
                window_opens_on=facts.window_opens,
                overdue_from=facts.overdue_from,
                booked=facts.booked,
                next_appointment_at=appt.starts_at if appt else None,
                next_appointment_id=appt.public_id if appt else None,
                diary_as_of=today,
                diary_recorded_30=recorded,
                headache_days_30=int(d30["hd"] or 0) if d30 else None,
                baseline_headache_days=baseline,
                diary_gap=worklist.diary_gap(recorded),
                verdict_kind=shown.kind,
                verdict_status=shown.status,
                verdict_decision=shown.decision,
                verdict_summary=shown.summary[:300],
                auth_status=auth.status if auth else "",
                auth_payer=auth.payer if auth else "",
                auth_units=auth.units_per_session if auth else None,
                auth_visits=auth.visits_approved if auth else None,
                auth_visits_left=left,
                auth_expires_on=expires,
                urgent_side_effect=facts.urgent_side_effect,
                outreach_outcome=o["outcome"] if o else "",
                outreach_at=o["at"] if o else None,
                next_contact_on=o["next_contact_on"] if o else None,
                assigned_to_id=assigned.get(pid),
                closed=closed,
                tier=key.tier,
                attention_on=key.attention_on,
                reasons=key.reasons,
            )
        )
    return out


def _eligibility(patient_id: int, today: dt.date) -> verdicts.Shown:
    """Chronic migraine from the diary's last 3 full months (before the first injection only)."""
    end = verdicts.eligibility_end(today)
    start = end.replace(day=1)
    for _ in range(2):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    days = days_between(patient_id, start, end)
    if not days:
        return verdicts.Shown("eligibility", "insufficient_data", "", "no diary in the last 3 full months")
    return verdicts.shown("eligibility", eligibility.chronic_migraine(days, end))


def visible(qs: Any) -> Any:
    """Rows still followed (outreach did not end them)."""
    return qs.filter(~Q(closed=True))

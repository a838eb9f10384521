"""The worklist query: one indexed query over stored rows per page, sorted by the engine's urgency, and the
words for each row (``clinical.worklist.assess`` with today's date; no query per row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from toxinclinic.accounts.locale import format_date
from toxinclinic.accounts.permissions import is_staff_member
from toxinclinic.clinical import worklist
from toxinclinic.clinical.products import PRODUCTS
from toxinclinic.coordinator import conf
from toxinclinic.coordinator.models import OutreachOutcome, WorklistRow

FILTERS: dict[str, str] = {
    "due_week": "Due this week",
    "overdue": "Overdue",
    "no_appointment": "No appointment",
    "auth": "Authorization expiring or no visits left",
    "diary_gap": "Diary gaps",
    "mine": "Assigned to me",
}
PAGE_SIZE = 50


def rows_for(user: Any) -> QuerySet[WorklistRow]:
    """The clinic's followed patients (rows closed by outreach are left out)."""
    if not is_staff_member(user):
        return WorklistRow.objects.none()
    return WorklistRow.objects.filter(clinic_id=user.clinic_id, closed=False)


def apply_filters(
    qs: QuerySet[WorklistRow], filters: list[str], user: Any, today: dt.date
) -> QuerySet[WorklistRow]:
    """Each filter narrows the list (they combine with AND). Dates are compared with the stored window
    dates, so the filters are right on any day without rewriting rows."""
    week_end = worklist.due_this_week_range(today)[1]
    for f in filters:
        if f == "due_week":
            qs = qs.filter(booked=False, window_opens_on__lte=week_end, overdue_from__gt=today)
        elif f == "overdue":
            qs = qs.filter(booked=False, overdue_from__lte=today)
        elif f == "no_appointment":
            qs = qs.filter(booked=False)
        elif f == "auth":
            warn = today + dt.timedelta(days=conf.auth_warn_days())
            qs = qs.filter(Q(auth_expires_on__lte=warn) | Q(auth_visits_left=0))
        elif f == "diary_gap":
            qs = qs.filter(diary_gap=True)
        elif f == "mine":
            qs = qs.filter(assigned_to_id=user.pk)
    return qs


def ordered(qs: QuerySet[WorklistRow]) -> QuerySet[WorklistRow]:
    """Urgency order (engine sort key), then name: one index range scan."""
    return qs.order_by("tier", F("attention_on").asc(nulls_last=True), "patient_id")


def page_rows(user: Any, filters: list[str], today: dt.date, page: int = 1) -> tuple[list[WorklistRow], bool]:
    """One page of rows (and whether there is a next page), patient and assignee joined in the same query."""
    qs = ordered(apply_filters(rows_for(user), filters, user, today)).select_related("patient", "assigned_to")
    start = (max(page, 1) - 1) * PAGE_SIZE
    got = list(qs[start : start + PAGE_SIZE + 1])
    return got[:PAGE_SIZE], len(got) > PAGE_SIZE


@dataclass(frozen=True)
class Line:
    """One worklist line in words (the screen, the API and the CSV say the same)."""

    row: WorklistRow
    assessment: worklist.Assessment

    @property
    def patient(self) -> Any:
        return self.row.patient

    @property
    def product(self) -> str:
        p = PRODUCTS.get(self.row.last_product)
        return p.brand if p else ""

    @property
    def outreach_label(self) -> str:
        o = self.row.outreach_outcome
        return OutreachOutcome(o).label if o else "Not contacted"

    @property
    def auth_label(self) -> str:
        from toxinclinic.coverage.models import AuthStatus

        s = self.row.auth_status
        return AuthStatus(s).label if s else "None on record"

    @property
    def verdict_label(self) -> str:
        r = self.row
        if not r.verdict_kind:
            return ""
        words = {
            "met": "met",
            "not_met": "not met",
            "partial": "partial response",
            "too_early": "too early to judge",
            "insufficient_data": "not enough data",
        }.get(r.verdict_status, r.verdict_status.replace("_", " "))
        kind = "Continuation" if r.verdict_kind == "continuation" else "Eligibility"
        decision = {"continue": " — continue", "reassess": " — reassess", "stop": " — stop"}.get(
            r.verdict_decision, ""
        )
        return f"{kind}: {words}{decision}"


def lines(rows: list[WorklistRow], today: dt.date) -> list[Line]:
    grace, warn = conf.grace_days(), conf.auth_warn_days()
    from toxinclinic.treatment.conf import recall_interval_days

    interval = recall_interval_days()
    return [
        Line(
            r,
            worklist.assess(
                worklist.PatientFacts(
                    r.last_session_on,
                    booked=r.booked,
                    urgent_side_effect=r.urgent_side_effect,
                    auth_expires_on=r.auth_expires_on,
                    auth_visits_left=r.auth_visits_left,
                    closed=r.closed,
                    interval_days=interval,
                    grace_days=grace,
                    auth_warn_days=warn,
                ),
                today,
                format_date,
            ),
        )
        for r in rows
    ]


def parse_filters(values: list[str]) -> list[str]:
    return [v for v in values if v in FILTERS]

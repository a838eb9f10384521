"""Diary screens: the patient's day entry, month calendar and trends; the clinic's view of a diary."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from toxinclinic.accounts.locale import format_date, format_month
from toxinclinic.clinical import trends as trends_engine
from toxinclinic.clinical.diary import MEDICATION_CLASS_LABELS
from toxinclinic.core.errors import Conflict
from toxinclinic.core.plugins import patient_sections
from toxinclinic.diary import charts, conf, services
from toxinclinic.diary.forms import DiaryDayForm
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.diary.permissions import can_keep_diary, can_view_diary, can_view_medication_overuse
from toxinclinic.patients.access import chart_for, patient_only
from toxinclinic.patients.banner import safety_banner
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.services import injection_dates, sessions_for


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404("No such day.") from exc


def _describe(entry: DiaryEntry) -> str:
    if not entry.headache:
        return "no headache"
    kind = {"migraine": "migraine day", "headache": "headache day", "short": "short headache"}[
        entry.day_class
    ]
    return f"{kind}, {entry.duration_hours:g} h, {entry.get_severity_display().lower()}"


@login_required
def today(request: HttpRequest) -> HttpResponse:
    return day(request, timezone.localdate().isoformat())


@patient_only
@require_http_methods(["GET", "POST"])
def day(request: HttpRequest, patient: Patient, date: str) -> HttpResponse:
    the_day = _parse_day(date)
    today_ = timezone.localdate()
    if not can_keep_diary(request.user, patient):
        raise PermissionDenied
    entry = DiaryEntry.objects.filter(patient=patient, date=the_day).first()
    medicines = services.acute_medicines(patient)
    date_errors = services.check_date(patient, the_day, today_)
    status = 200
    if request.method == "POST":
        form = DiaryDayForm(request.POST, patient=patient, day=the_day, medicines=medicines)
        if form.is_valid() and form.clean_day is not None:
            try:
                saved, created = services.save_day(
                    patient,
                    form.clean_day,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                )
            except Conflict as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                verb = "Saved" if created else "Updated"
                when = format_date(saved.date, style="weekday")
                messages.success(request, f"{verb} {when}: {_describe(saved)}.")
                missing = services.missing_days(patient, today_)
                if request.POST.get("next") == "home":  # the one-tap button on the home screen
                    return redirect("home")
                if the_day != today_ and missing:
                    return redirect("diary:day", date=missing[0].isoformat())
                return redirect("diary:today")
        else:
            status = 400
    else:
        if date_errors and entry is None:
            # Not writable: show why, with the form hidden (a link may be stale or typed by hand).
            status = 400 if the_day > today_ or the_day < patient.enrolled_on else 200
        form = DiaryDayForm(
            initial=DiaryDayForm.initial_for(entry), patient=patient, day=the_day, medicines=medicines
        )
    ctx = {
        "patient": patient,
        "day": the_day,
        "is_today": the_day == today_,
        "entry": entry,
        "entry_text": _describe(entry) if entry else "",
        "form": form,
        "date_errors": date_errors,
        "writable": not date_errors,
        "missing": [d for d in services.missing_days(patient, today_) if d != the_day],
        "backfill_days": conf.backfill_days(),
        "has_medicines": bool(medicines),
        "severities": [("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")],
        # Shown already open (a past day, an error, a headache being changed): then it is a plain section,
        # not a <details> a first tap on its heading would close.
        "form_open": bool(form.errors)
        or bool(entry and entry.headache)
        or (entry is None and the_day != today_),
    }
    return render(request, "diary/day.html", ctx, status=status)


def _legend() -> list[tuple[str, str, str]]:
    return [
        ("migraine", "M", "Migraine day"),
        ("headache", "H", "Headache day"),
        ("short", "s", "Short headache (not a headache day)"),
        ("none", "✓", "No headache"),
        ("missing", "?", "Not recorded"),
    ]


def _calendar_ctx(patient: Patient, month: dt.date, *, editable: bool) -> dict[str, Any]:
    today_ = timezone.localdate()
    inj = injection_dates(patient)
    first_month = services.month_start(patient.enrolled_on)
    return {
        "month": month,
        "weeks": services.month_calendar(patient, month, inj, editable=editable, today=today_),
        "prev_month": services.shift_month(month, -1) if month > first_month else None,
        "next_month": services.shift_month(month, 1) if month < services.month_start(today_) else None,
        "legend": _legend(),
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }


@patient_only
@require_GET
def month_calendar(request: HttpRequest, patient: Patient) -> HttpResponse:
    month = services.parse_month(request.GET.get("month"))
    month = max(month, services.month_start(patient.enrolled_on))
    ctx = {"patient": patient, **_calendar_ctx(patient, month, editable=True)}
    return render(request, "diary/calendar.html", ctx)


def headline(patient: Patient, inj: list[dt.date], today_: dt.date) -> trends_engine.Headline:
    """Baseline before the first session against the last 28 days (the engine's comparison)."""
    first = inj[0] if inj else None
    start = max(patient.enrolled_on, (first or today_) - dt.timedelta(days=90))
    start = min(start, today_ - dt.timedelta(days=27))
    return trends_engine.baseline_vs_recent(
        services.days_between(patient, start, today_),
        first,
        today_,
        diary_start=patient.enrolled_on,
        headache_threshold_hours=conf.headache_threshold_hours(),
    )


def _trend_ctx(patient: Patient) -> dict[str, Any]:
    today_ = timezone.localdate()
    inj = injection_dates(patient)
    rows = services.trend_rows(patient, inj, today_)
    return {
        "headline": headline(patient, inj, today_),
        "first_session": inj[0] if inj else None,
        "rows": rows,
        "injections": inj,
        "this_month": services.this_month(patient, today_),
        "chart_url": reverse("diary:trend_svg", args=[patient.public_id])
        + f"?v={services.data_version(patient)}-{len(inj)}",
        "chart_alt": _chart_alt(rows, inj),
    }


def _chart_alt(rows: list[services.TrendRow], inj: list[dt.date]) -> str:
    if not rows:
        return "No diary months yet."
    parts = [
        f"Bar chart of headache days and migraine days per month from {rows[0].month:%B %Y} "
        f"to {rows[-1].month:%B %Y}"
    ]
    if inj:
        parts.append("injections on " + ", ".join(format_date(d) for d in inj))
    parts.append("the table below lists the same numbers")
    return "; ".join(parts) + "."


@patient_only
@require_GET
def trends(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(request, "diary/trends.html", {"patient": patient, **_trend_ctx(patient)})


@login_required
@require_GET
def trend_svg(request: HttpRequest, patient_id: str) -> HttpResponse:
    # The image link: a refused role gets the same 404 as an unknown id; an image is not a chart read.
    patient = chart_for(request, patient_id, can=can_view_diary, what=None, hidden=True)
    today_ = timezone.localdate()
    inj = injection_dates(patient)
    version = services.data_version(patient)
    etag = '"' + charts.etag_for(patient.pk, version, inj, services.month_start(today_)) + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    rows = services.trend_rows(patient, inj, today_)
    svg = charts.trend_svg(patient.pk, version, rows, inj)
    resp = HttpResponse(svg, content_type="image/svg+xml")
    resp["ETag"] = etag
    resp["Cache-Control"] = "private, max-age=0, must-revalidate"
    return resp


def _safety_banner(patient: Patient) -> Any:
    return safety_banner(patient)


@login_required
@require_GET
def patient_diary(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The clinic's view of one patient's diary: charts, monthly numbers, MOH flag, questionnaires."""
    patient = chart_for(request, patient_id, can=can_view_diary, what="diary")
    if getattr(request.user, "role", None) == "patient":
        return redirect("diary:trends")
    month = services.parse_month(request.GET.get("month"))
    month = max(month, services.month_start(patient.enrolled_on))
    ctx: dict[str, Any] = {
        "patient": patient,
        **_calendar_ctx(patient, month, editable=False),
        **_trend_ctx(patient),
        "months": list(reversed(services.months_for(patient)))[:12],
        "sections": patient_sections(request, patient, "diary"),
        "sessions": list(sessions_for(patient)[:6]),
        "show_moh": can_view_medication_overuse(request.user, patient),
        "safety_banner": _safety_banner(patient),
    }
    if ctx["show_moh"]:
        ctx["moh"] = services.verdict_for(patient)  # the stored verdict
        ctx["moh_words"] = moh_words(ctx["moh"])
    for m in ctx["months"]:
        m.class_words = ", ".join(
            f"{_SHORT_CLASS.get(c, c)} {n}" for c, n in (m.medication_days_by_class or {}).items() if n
        )
    return render(request, "diary/patient.html", ctx)


# Only the codes that are not already the word ("triptan", "opioid", "other" read fine as they are).
_CLASS_CODE = re.compile(r"\b(?:simple_analgesic|combination_analgesic|nsaid)\b")
_SHORT_CLASS = {c: label.split(" (")[0] for c, label in MEDICATION_CLASS_LABELS.items()}
MOH_HEADLINES = {
    "met": "Criteria for medication-overuse headache are met in each of the last 3 months.",
    "not_met": "Criteria for medication-overuse headache are not met.",
    "insufficient_data": "Not enough diary days recorded to judge medication overuse.",
}


def moh_words(verdict: Any) -> dict[str, Any]:
    """The overuse verdict as sentences: a headline for its status, and each month's reasons with the
    medicine classes named in words (the engine's reasons quote class codes such as simple_analgesic)."""

    def say(text: str) -> str:
        text = _CLASS_CODE.sub(lambda m: _SHORT_CLASS.get(m.group(0), m.group(0)), text)
        text = _ISO.sub(lambda m: format_date(dt.date.fromisoformat(m.group(0))), text)
        return _ISO_MONTH.sub(lambda m: format_month(dt.date(int(m.group(1)), int(m.group(2)), 1)), text)

    return {
        "headline": MOH_HEADLINES.get(verdict.status, MOH_HEADLINES["insufficient_data"]),
        "reasons": [say(r) for r in verdict.reasons],
        "periods": [_period_words(p, say) for p in verdict.periods],
    }


def _period_words(p: Any, say: Any) -> dict[str, Any]:
    """One judged month, from the engine's period or the stored verdict's dict of it."""
    if isinstance(p, dict):
        label, start, reasons = p["label"], dt.date.fromisoformat(p["start"]), p["reasons"]
        met = p["status"] == "met"
    else:
        label, start, met, reasons = p.label, p.start, p.met, p.reasons
    return {
        "label": format_month(start) if len(label) == 7 else say(label),
        "met": met,
        # Each reason repeats its month ("2026-09: 6 headache days"); the heading says it once.
        "reasons": [say(r).removeprefix(f"{format_month(start)}: ") for r in reasons],
    }


_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_ISO_MONTH = re.compile(r"\b(\d{4})-(0[1-9]|1[0-2])\b")

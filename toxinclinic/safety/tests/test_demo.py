"""The portal's demo steps: realistic data on their own, and on top of sessions signed by the visits demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import Patient
from toxinclinic.safety.models import CheckIn, SideEffectReport, TriageItem
from toxinclinic.treatment.models import TreatmentSession

pytestmark = pytest.mark.django_db

TODAY = "2026-06-15"


def _counts() -> dict[str, int]:
    return {
        "sessions": TreatmentSession.objects.count(),
        "check_ins": CheckIn.objects.count(),
        "reports": SideEffectReport.objects.count(),
        "open_urgent": TriageItem.objects.filter(level="urgent").exclude(status="closed").count(),
        "entries": DiaryEntry.objects.count(),
        "months": DiaryMonth.objects.count(),
        "moh": DiaryStatus.objects.filter(moh_met=True).count(),
        "responses": QuestionnaireResponse.objects.count(),
    }


def _without_visits(monkeypatch: Any) -> None:
    """Run the demo as if the visits app had no demo step (its sessions are then invented here)."""
    from toxinclinic.demo.management.commands import demo_seed

    real = demo_seed.demo_steps
    monkeypatch.setattr(demo_seed, "demo_steps", lambda: [m for m in real() if "visits" not in m.__name__])


@pytest.mark.django_db(transaction=True)
def test_demo_without_visits_is_realistic_and_deterministic(monkeypatch: Any) -> None:
    _without_visits(monkeypatch)
    call_command("demo_seed", patients=40, seed=11, today=TODAY, verbosity=0)
    first = _counts()
    assert first["sessions"] > 40 and first["check_ins"] == 2 * first["sessions"]
    assert first["open_urgent"] >= 1 and first["entries"] > 1000 and first["responses"] > 40
    maya = Patient.objects.get(user__username="patient")
    last = TreatmentSession.objects.filter(patient=maya).order_by("-injected_on").first()
    assert last is not None and last.injected_on == dt.date(2026, 5, 30)  # 16 days before "today"
    first_session = TreatmentSession.objects.filter(patient=maya).earliest("injected_on").injected_on
    months = list(DiaryMonth.objects.filter(patient=maya).order_by("month"))
    baseline = [m for m in months if m.month < first_session]
    assert baseline and max(m.headache_days for m in baseline) >= 15  # chronic before treatment
    assert months[-2].headache_days < max(m.headache_days for m in baseline)  # responder
    call_command("demo_seed", patients=40, seed=11, today=TODAY, reset=True, verbosity=0)
    assert _counts() == first


@pytest.mark.django_db(transaction=True)
def test_demo_builds_on_the_visits_demo() -> None:
    """The visits demo (DEMO_ORDER 20) signs visits; the receiver snapshots them and nothing is invented."""
    from toxinclinic.visits.models import Visit

    call_command("demo_seed", patients=30, seed=3, today=TODAY, verbosity=0)
    signed = Visit.objects.filter(status="signed").count()
    assert signed > 0
    assert TreatmentSession.objects.count() == signed
    assert CheckIn.objects.count() == 2 * signed
    assert CheckIn.objects.filter(status="answered").exists()  # old ones closed as answered
    assert TriageItem.objects.filter(level="urgent").exclude(status="closed").count() >= 1
    assert DiaryEntry.objects.exists() and QuestionnaireResponse.objects.exists()

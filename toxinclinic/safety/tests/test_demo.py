"""The portal's demo steps: realistic data on their own, and on top of sessions signed by the visits demo."""

from __future__ import annotations

import datetime as dt
import types
import uuid
from typing import Any

import pytest
from django.core.management import call_command

from toxinclinic.diary.models import DiaryEntry, DiaryMonth, DiaryStatus
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import Patient
from toxinclinic.safety.models import CheckIn, SideEffectReport, TreatmentSession, TriageItem

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


@pytest.mark.django_db(transaction=True)
def test_demo_alone_is_realistic_and_deterministic() -> None:
    call_command("demo_seed", patients=40, seed=11, today=TODAY, verbosity=0)
    first = _counts()
    assert first["sessions"] > 40 and first["check_ins"] == 2 * first["sessions"]
    assert first["open_urgent"] >= 1 and first["entries"] > 1000 and first["responses"] > 40
    maya = Patient.objects.get(user__username="patient")
    last = TreatmentSession.objects.filter(patient=maya).order_by("-injected_on").first()
    assert last is not None and last.injected_on == dt.date(2026, 5, 30)  # 16 days before "today"
    months = list(DiaryMonth.objects.filter(patient=maya).order_by("month"))
    baseline = [
        m
        for m in months
        if m.month < TreatmentSession.objects.filter(patient=maya).earliest("injected_on").injected_on
    ]
    assert baseline and max(m.headache_days for m in baseline) >= 15  # chronic before treatment
    assert months[-2].headache_days < max(m.headache_days for m in baseline)  # responder
    call_command("demo_seed", patients=40, seed=11, today=TODAY, reset=True, verbosity=0)
    assert _counts() == first


def test_demo_on_sessions_signed_by_the_visits_demo(monkeypatch: Any) -> None:
    """When the visits demo (DEMO_ORDER 20) has signed visits, the portal demo builds on them."""
    from toxinclinic.core.signals import visit_signed
    from toxinclinic.demo.management.commands import demo_seed

    def visits_seed(ctx: Any) -> None:
        for pid in ctx.patient_ids[:10]:
            p = Patient.objects.get(pk=pid)
            for k in range(3):
                visit_signed.send(
                    sender=None,
                    visit_id=str(uuid.UUID(int=pid * 10 + k + 1)),
                    patient=p,
                    clinic_id=p.clinic_id,
                    injected_on=ctx.today - dt.timedelta(days=5 + 90 * k),
                    product="botox",
                    indication="chronic_migraine",
                    total_units=155.0,
                    sites=[{"muscle": "frontalis", "side": "left", "units": 5.0}],
                    signed_by=ctx.staff["clinician"],
                )

    fake = types.SimpleNamespace(DEMO_ORDER=20, seed=visits_seed, __name__="fake_visits_demo")
    real = demo_seed.demo_steps
    monkeypatch.setattr(
        demo_seed, "demo_steps", lambda: sorted([*real(), fake], key=lambda m: getattr(m, "DEMO_ORDER", 0))
    )
    call_command("demo_seed", patients=30, seed=3, today=TODAY, verbosity=0)
    assert TreatmentSession.objects.count() == 30  # the visits demo's, none invented
    assert CheckIn.objects.count() == 60
    assert CheckIn.objects.filter(status="answered").exists()  # old ones closed as answered
    assert DiaryEntry.objects.exists() and QuestionnaireResponse.objects.exists()

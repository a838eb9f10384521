"""Visit workflow costs on a demo database (the shared benchmark SQLite file, reseeded).

1. The live dose check (what the chart page posts on every change): ``services.dose_check`` loads the
   patient's history and vials and runs ``dosing.check_session``. Baseline: the engine call alone with
   the same session and history already in memory — the ratio is the price of the database round trips.
2. The coordinator's recall list: the indexed ``due_on`` column written on signing. Baseline: the same
   list computed from the visits (latest signed session per patient + the engine's recall window), as it
   would be without the precomputed column.
3. Signing a prepared PREEMPT visit through ``services.sign_visit`` (re-check, note, billing, recall,
   audit). Baseline: the engine work alone (screening + dose check + billing lines) for the same visit.
"""

from __future__ import annotations

import datetime as dt

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django


def _setup(patients: int) -> None:
    ensure_django()
    from django.core.management import call_command

    call_command("demo_seed", patients=patients, seed=5, reset=True, verbosity=0)


def run(quick: bool) -> list[BenchResult]:
    import io
    from contextlib import redirect_stdout

    patients = 60 if quick else 400
    with redirect_stdout(io.StringIO()):
        _setup(patients)
    from django.db.models import F, Max
    from django.utils import timezone

    from toxinclinic.accounts.models import User
    from toxinclinic.clinical import billing, dosing, products, recall, screening
    from toxinclinic.scheduling.models import Recall
    from toxinclinic.scheduling.services import recall_list
    from toxinclinic.visits import services as svc
    from toxinclinic.visits.models import Visit, VisitStatus

    today = timezone.localdate()
    coordinator = User.objects.get(username="coordinator")
    clinician = User.objects.get(username="clinician")
    nurse = User.objects.get(username="nurse")
    # A patient with history and a fresh PREEMPT draft.
    last = (
        Visit.objects.filter(
            status=VisitStatus.SIGNED,
            indication="chronic_migraine",
            visit_date__lte=today - dt.timedelta(days=90),
        )
        .order_by("-visit_date")
        .first()
    )
    assert last is not None
    patient = last.patient
    draft = svc.create_visit(
        patient, actor=nurse, visit_date=today, indication="chronic_migraine", product="botox"
    )
    draft = svc.apply_protocol(draft, draft.version, actor=clinician, key="preempt")
    sites = list(draft.sites.all())
    history = svc.history_sessions(patient, exclude=draft)
    session = svc.engine_session(draft, sites)
    repeat = 5 if quick else 9
    number = 20 if quick else 100

    live = best_of(lambda: svc.dose_check(draft, sites), repeat, number)
    engine = best_of(lambda: dosing.check_session(session, history, svc.CLINIC_DOSE_POLICY), repeat, number)

    def recall_indexed() -> int:
        return len(list(recall_list(coordinator, today, which="due").values_list("patient_id", "due_on")))

    def recall_from_visits() -> int:
        rows = (
            Visit.objects.filter(clinic_id=coordinator.clinic_id, status=VisitStatus.SIGNED)
            .values("patient_id", "indication")
            .annotate(last=Max("visit_date"))
        )
        limit = today + dt.timedelta(days=28)
        return sum(1 for r in rows if recall.recall_window(r["last"]).due <= limit)

    assert recall_indexed() == recall_from_visits()
    indexed = best_of(recall_indexed, repeat, max(1, number // 10))
    scanned = best_of(recall_from_visits, repeat, max(1, number // 10))

    # Signing: prepare N drafts (not timed), then time sign_visit on each.
    from toxinclinic.inventory.models import Vial, VialStatus
    from toxinclinic.visits.tests.helpers import quick_ready_visit

    class _World:
        clinic = patient.clinic

        @staticmethod
        def user(role: str) -> User:
            return nurse

    n_sign = 10 if quick else 40
    fresh = list(
        Recall.objects.filter(clinic_id=patient.clinic_id, due_on__lte=today).values_list(
            "patient", flat=True
        )[:n_sign]
    )
    from toxinclinic.patients.models import Patient

    ready = [quick_ready_visit(_World, Patient.objects.get(pk=pk)) for pk in fresh]
    Vial.objects.filter(status=VialStatus.OPENED, use__visit__in=ready).update(
        beyond_use_at=F("reconstituted_at") + dt.timedelta(hours=products.get("botox").beyond_use_hours)
    )
    import time

    t0 = time.perf_counter()
    for v in ready:
        svc.sign_visit(v, clinician, expected_version=v.version, acknowledge_warnings=True, archive_pdf=False)
    sign = (time.perf_counter() - t0) / len(ready)
    answers = screening.ScreeningInput(**dict.fromkeys(screening.KEYS, False))  # every question answered
    engine_sign = best_of(
        lambda: (
            screening.screen(answers),
            dosing.check_session(session, history, svc.CLINIC_DOSE_POLICY),
            billing.lines(session, vials=[200]),
        ),
        repeat,
        number,
    )
    n_signed = Visit.objects.filter(status=VisitStatus.SIGNED).count()
    return [
        BenchResult(
            "live dose check (PREEMPT, with history)",
            live * 1000,
            "ms",
            "engine check_session alone",
            engine * 1000,
            higher_is_better=False,
            note=f"{len(history)} earlier sessions; {patients} demo patients",
        ),
        BenchResult(
            "recall list, due within 28 days",
            indexed * 1000,
            "ms",
            "computed from signed visits",
            scanned * 1000,
            higher_is_better=False,
            note=f"{Recall.objects.count()} recalls, {n_signed} signed visits",
        ),
        BenchResult(
            "sign a prepared PREEMPT visit",
            sign * 1000,
            "ms",
            "engine work alone (screen + check + bill)",
            engine_sign * 1000,
            higher_is_better=False,
            note=f"mean of {len(ready)} signings (note, billing, recall, audit)",
        ),
    ]

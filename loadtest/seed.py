"""Seed the clinic day the load test plays, on top of ``manage.py demo_seed --patients 200``.

Run by ``scripts/load.sh`` as ``python -m loadtest.seed --out PLAN.json`` against the fresh load database.
It gives every simulated person a login of their own and writes who they are to ``PLAN.json`` (mode 600):

- each of the demo clinic's patients: a portal login and an API token issued to that patient; half use
  the phone app with the token only (no usable password), half the browser with a password of their own;
- 10 staff: 4 nurses, 3 prescribing clinicians, 3 injectors (clinicians who are not prescribers), each
  with a password of their own; each clinician and injector gets a tray of Botox 100 U vials (one lot
  each, received through ``inventory.services.receive_vials``, audited like a delivery) so that two of
  them never reach for the same vial;
- 2 coordinators with passwords of their own;
- today's visit list: a draft visit (``visits.drafts.create_visit``, as the scheduling app opens one on
  the day) for every patient whose last toxin injection is at least 13 weeks ago (or who has none), so
  the dose check has no hard stop and a clinician may sign without a prescriber's override.

A person's credentials act only as that person: nothing here is shared between two simulated users.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import secrets
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

NURSES = 4
PRESCRIBERS = 3
INJECTORS = 3
COORDINATORS = 2
#: A visit is ready for today only when the last injection is this old (12 weeks is the clinic's minimum
#: interval, a hard stop; one more week keeps clear of the boundary whatever the hour).
MIN_DAYS_SINCE_LAST = 91


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toxinclinic.settings")
    import django

    django.setup()


def _hash(clear: str) -> str:
    from django.contrib.auth.hashers import make_password

    # An app user has no password (None makes an unusable one): the token is their only way in.
    return make_password(clear or None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where to write the plan (JSON, credentials inside)")
    args = parser.parse_args(argv)
    _setup_django()

    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from toxinclinic.accounts.models import ApiToken, Clinic, Location, Role, User
    from toxinclinic.demo.management.commands.demo_seed import DEMO_CLINIC
    from toxinclinic.inventory.services import receive_vials
    from toxinclinic.patients.models import Patient, PatientIndication
    from toxinclinic.treatment.models import TreatmentSession
    from toxinclinic.visits.drafts import create_visit
    from toxinclinic.visits.models import OutsideInjection, Visit, VisitStatus

    clinic = Clinic.objects.get(name=DEMO_CLINIC)
    location = Location.objects.filter(clinic=clinic).order_by("pk").first()
    admin = User.objects.get(username="admin")
    today = timezone.localdate()

    def password() -> str:
        return secrets.token_urlsafe(12)

    # Argon2 is slow on purpose (about 0.2 s of a core per hash): hash every password in parallel.
    patients = list(Patient.objects.filter(clinic=clinic).select_related("user").order_by("mrn"))
    n_staff = NURSES + PRESCRIBERS + INJECTORS + COORDINATORS
    browser = [i % 2 == 1 for i in range(len(patients))]
    clear = [password() if b else "" for b in browser] + [password() for _ in range(n_staff)]
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        hashed = list(pool.map(_hash, clear, chunksize=8))

    plan: dict[str, object] = {"today": today.isoformat(), "clinic": clinic.name}
    with transaction.atomic():
        # Patients: one login each (the demo's own "patient" login gets a new password like the others).
        patients_out = []
        for i, p in enumerate(patients):
            pw = clear[i]
            user = p.user
            if user is None:
                user = User(
                    username=f"pt-{p.mrn.lower()}",
                    role=Role.PATIENT,
                    clinic=clinic,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    email=p.email,
                )
            # App users sign in with their token only; browser users with their password.
            user.password = hashed[i]
            user.save()
            if p.user_id != user.pk:
                Patient.objects.filter(pk=p.pk).update(user=user)
            _, token = ApiToken.issue(user, "load test phone app")
            patients_out.append(
                {
                    "username": user.username,
                    "password": pw,
                    "token": token,
                    # Even positions use the app (bearer token), odd ones the browser (password, CSRF).
                    "client": "browser" if browser[i] else "app",
                    "patient": str(p.public_id),
                }
            )
        plan["patients"] = patients_out

        staff_out = []
        roles = (
            [("nurse", Role.NURSE, False)] * NURSES
            + [("clinician", Role.CLINICIAN, True)] * PRESCRIBERS
            + [("injector", Role.CLINICIAN, False)] * INJECTORS
            + [("coordinator", Role.COORDINATOR, False)] * COORDINATORS
        )
        counts: dict[str, int] = {}
        for j, (kind, role, prescriber) in enumerate(roles):
            counts[kind] = counts.get(kind, 0) + 1
            n = counts[kind]
            pw = clear[len(patients) + j]
            user = User.objects.create(
                username=f"load-{kind}-{n}",
                role=role,
                clinic=clinic,
                first_name=kind.capitalize(),
                last_name=f"Number {n}",
                credentials={"nurse": "RN", "clinician": "MD", "injector": "NP"}.get(kind, ""),
                is_prescriber=prescriber,
                email=f"load-{kind}-{n}@example.org",
                password=hashed[len(patients) + j],
            )
            staff_out.append({"kind": kind, "username": user.username, "password": pw})

        # The visit list of the day: every patient clear of the minimum interval.
        cutoff = today - dt.timedelta(days=MIN_DAYS_SINCE_LAST)
        last_session = dict(
            TreatmentSession.objects.filter(clinic=clinic)
            .values("patient_id")
            .annotate(m=Max("injected_on"))
            .values_list("patient_id", "m")
        )
        last_outside = dict(
            OutsideInjection.objects.filter(clinic_id=clinic.pk)
            .values("patient_id")
            .annotate(m=Max("given_on"))
            .values_list("patient_id", "m")
        )
        busy = set(
            Visit.objects.filter(clinic_id=clinic.pk, status=VisitStatus.DRAFT).values_list(
                "patient_id", flat=True
            )
        )
        indication = dict(
            PatientIndication.objects.filter(clinic_id=clinic.pk)
            .order_by("patient_id", "pk")
            .values_list("patient_id", "indication")
        )
        nurse = User.objects.get(username="load-nurse-1")
        visits_out = []
        for p in Patient.objects.filter(clinic=clinic).order_by("mrn"):
            last = max([d for d in (last_session.get(p.pk), last_outside.get(p.pk)) if d], default=None)
            if p.pk in busy or (last is not None and last > cutoff):
                continue
            ind = indication.get(p.pk, "chronic_migraine")
            v = create_visit(
                p, actor=nurse, visit_date=today, indication=ind, product="botox", location=location
            )
            visits_out.append(
                {
                    "visit": str(v.public_id),
                    "patient": str(p.public_id),
                    "indication": ind,
                    # PREEMPT (155 U, two vials) for migraine; a torticollis template (90 U, one vial) for
                    # cervical dystonia: the charting steps are the same, only the template differs.
                    "protocol": "preempt" if ind == "chronic_migraine" else "cd_torticollis_left",
                }
            )
        plan["visits"] = visits_out

        # Each clinician's tray: enough 100 U vials for their share of the list, and a margin.
        chart_staff = [s for s in staff_out if s["kind"] in ("clinician", "injector")]
        per_person = 2 * math.ceil(len(visits_out) / max(1, len(chart_staff))) * 2 + 6
        for i, s in enumerate(chart_staff):
            lot = f"LOAD{i + 1:02d}"
            receive_vials(
                actor=admin,
                product="botox",
                ndc="0023-1145-01",
                lot_number=lot,
                expiry_date=today + dt.timedelta(days=300),
                count=per_person,
                size_units=100,
                location=location,
                note="load test tray",
            )
            s["lot"] = lot
        plan["staff"] = staff_out

    out = Path(args.out)
    out.touch(mode=0o600)
    out.write_text(json.dumps(plan, indent=1))
    print(
        f"plan: {len(plan['patients'])} patients, {len(staff_out)} staff, "  # type: ignore[arg-type]
        f"{len(visits_out)} visits ready for today, {per_person} vials per clinician -> {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The crash suite's clinic, built once per run in a Django process on the suite's own database: staff with
API tokens, patients with portal logins and tokens, visits prepared up to signing (real service calls)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

PASSWORD = "crash-suite-password-1"  # noqa: S105 (test users on a throw-away database)


@dataclass
class World:
    """What ``visits.tests.helpers.prepared_visit`` needs of the test suite's ``world``."""

    clinic: Any
    users: dict[str, Any]
    patient: Any = None

    def user(self, role: str) -> Any:
        return self.users[role]


def _token(user: Any) -> str:
    from toxinclinic.accounts.models import ApiToken

    _, raw = ApiToken.issue(
        user, "crash suite", second_factor=False, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    return raw


def build(patients: int, visits: int) -> dict[str, Any]:
    from toxinclinic.accounts.models import Clinic, Role, User
    from toxinclinic.patients.models import Patient, PatientIndication

    clinic = Clinic.objects.create(name="Crash Clinic", phone="020 0000 0009")

    def mk(username: str, role: str, **kw: Any) -> Any:
        return User.objects.create_user(
            username=username, password=PASSWORD, role=role, clinic=clinic, first_name=username.title(),
            last_name="Crash", **kw,
        )  # fmt: skip

    staff = {
        "nurse": mk("crash-nurse", Role.NURSE),
        "clinician": mk("crash-clinician", Role.CLINICIAN, is_prescriber=True),
    }
    out: dict[str, Any] = {"clinic": clinic.pk, "staff": {k: _token(u) for k, u in staff.items()}}
    rows = []
    for i in range(patients):
        user = mk(f"crash-patient-{i:03d}", Role.PATIENT)
        p = Patient.objects.create(
            clinic=clinic, mrn=f"CR{i:04d}", first_name=f"Pat{i}", last_name="Crash",
            date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=i), sex="female",
            enrolled_on=timezone.localdate() - dt.timedelta(days=400), user=user,
            email=f"crash-patient-{i}@example.net", phone=f"+1 555 01{i:02d}",
        )  # fmt: skip
        PatientIndication.objects.create(
            patient=p, clinic_id=clinic.pk, indication="chronic_migraine", icd10="G43.709"
        )
        rows.append({"pk": p.pk, "public_id": str(p.public_id), "token": _token(user)})
    out["patients"] = rows
    out["visits"] = []
    if visits:
        from toxinclinic.visits.tests.helpers import prepared_visit

        w = World(clinic=clinic, users=staff)
        for row in rows[:visits]:
            v = prepared_visit(w, patient=Patient.objects.get(pk=row["pk"]))
            out["visits"].append({"pk": v.pk, "public_id": str(v.public_id), "version": v.version})
    return out

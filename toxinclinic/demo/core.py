"""Demo clinics, staff (one login per role) and patients with plausible charts."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password

from toxinclinic.accounts.models import Clinic, Location, Role, User
from toxinclinic.demo.context import DemoContext
from toxinclinic.patients.models import (
    Allergy,
    HistoryItem,
    Medication,
    Patient,
    PatientIndication,
    PreventiveTrial,
)

DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - printed on purpose: demo logins only

FIRST = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Grace",
    "Sophia",
    "Ella",
    "Noah",
    "Oliver",
    "George",
    "Leo",
    "Arthur",
    "Muhammad",
    "Harry",
    "Oscar",
    "Jack",
    "Henry",
    "Priya",
    "Chen",
    "Aisha",
    "Mateo",
    "Zofia",
    "Kwame",
    "Sara",
    "Tomás",
    "Ngozi",
    "Yuki",
    "Fatima",
    "Daniel",
    "Ruth",
    "Samir",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Khan",
    "Okafor",
    "Nowak",
    "Garcia",
    "Murphy",
    "Lewis",
    "Clarke",
    "Hughes",
    "Ahmed",
    "Singh",
    "Kowalski",
    "Byrne",
]

STAFF = [
    ("admin", Role.ADMIN, "Alex", "Morgan", "", False),
    ("nurse", Role.NURSE, "Nia", "Roberts", "RN", False),
    ("clinician", Role.CLINICIAN, "Sam", "Okafor", "MD", True),
    ("injector", Role.CLINICIAN, "Jo", "Lindqvist", "NP", False),
    ("coordinator", Role.COORDINATOR, "Casey", "Reid", "", False),
]

ACUTE = [
    ("Sumatriptan", "triptan", "50 mg as needed"),
    ("Rizatriptan", "triptan", "10 mg as needed"),
    ("Ibuprofen", "nsaid", "400 mg as needed"),
    ("Acetaminophen", "simple_analgesic", "1,000 mg as needed"),
    ("Naproxen", "nsaid", "500 mg as needed"),
    ("Excedrin (acetaminophen, aspirin, caffeine)", "combination_analgesic", "2 tablets as needed"),
    ("Rimegepant", "gepant", "75 mg as needed"),
]
CONCERN_MEDS = [
    ("Apixaban", "anticoagulant", "5 mg twice daily"),
    ("Clopidogrel", "antiplatelet", "75 mg daily"),
    ("Warfarin", "anticoagulant", "as per INR clinic"),
    ("Gentamicin", "aminoglycoside", "course"),
    ("Baclofen", "muscle_relaxant", "10 mg three times daily"),
]
PREVENTIVES = [
    ("Topiramate", "anticonvulsant", "50 mg twice daily"),
    ("Propranolol", "beta_blocker", "80 mg daily"),
    ("Amitriptyline", "antidepressant", "25 mg nightly"),
    ("Candesartan", "arb", "16 mg daily"),
    ("Erenumab", "cgrp_mab", "140 mg monthly"),
    ("Nortriptyline", "antidepressant", "25 mg nightly"),
    ("Venlafaxine", "antidepressant", "150 mg daily"),
]
OUTCOMES = ["ineffective", "ineffective", "not_tolerated", "ineffective", "contraindicated"]


def _staff(ctx: DemoContext, clinic: Clinic, suffix: str = "") -> dict[str, User]:
    hashed = make_password(DEMO_PASSWORD)  # hash once: Argon2 is slow on purpose
    out = {}
    for username, role, first, last, cred, prescriber in STAFF:
        user, _ = User.objects.get_or_create(
            username=f"{username}{suffix}",
            defaults=dict(
                role=role,
                clinic=clinic,
                first_name=first,
                last_name=last,
                credentials=cred,
                is_prescriber=prescriber,
                password=hashed,
                email=f"{username}{suffix}@example.org",
            ),
        )
        out[username] = user
        if not suffix:
            ctx.logins.append(
                (
                    user.get_role_display() + (" (prescriber)" if prescriber else ""),
                    user.username,
                    DEMO_PASSWORD,
                )
            )
    return out


def _patient(rng: random.Random, clinic: Clinic, i: int, today: dt.date, prefix: str) -> Patient:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    dob = today - dt.timedelta(days=rng.randint(19 * 365, 78 * 365))
    enrolled = today - dt.timedelta(days=rng.randint(120, 900))
    p = Patient(
        clinic=clinic,
        mrn=f"{prefix}{i:06d}",
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        sex=rng.choice(["female", "female", "female", "male", "male", "other"]),
        # 555-0100 to 555-0199 are the US numbers set aside for fiction: never a real person's phone.
        phone=f"({rng.choice(['617', '781', '857'])}) 555-01{rng.randint(0, 99):02d}",
        email=f"{first}.{last}.{i}@example.net".lower(),
        enrolled_on=enrolled,
    )
    p.search_text = f"{last} {first} {p.mrn}".lower()
    return p


def _chart_rows(rng: random.Random, p: Patient, today: dt.date) -> list[object]:
    rows: list[object] = []
    cd = rng.random() < 0.25
    if cd:
        rows.append(
            PatientIndication(
                patient=p,
                clinic_id=p.clinic_id,
                indication="cervical_dystonia",
                icd10="G24.3",
                diagnosed_on=p.enrolled_on - dt.timedelta(days=400),
            )
        )
    else:
        rows.append(
            PatientIndication(
                patient=p,
                clinic_id=p.clinic_id,
                indication="chronic_migraine",
                icd10=rng.choice(["G43.709", "G43.719", "G43.719", "G43.701"]),
                diagnosed_on=p.enrolled_on - dt.timedelta(days=rng.randint(200, 3000)),
            )
        )
        for name, cls, dose in rng.sample(ACUTE, rng.randint(1, 3)):
            rows.append(Medication(patient=p, clinic_id=p.clinic_id, name=name, drug_class=cls, dose=dose))
        start = p.enrolled_on - dt.timedelta(days=rng.randint(500, 1500))
        for name, cls, dose in rng.sample(PREVENTIVES, rng.randint(1, 4)):
            end = start + dt.timedelta(days=rng.randint(30, 200))
            outcome = rng.choice(OUTCOMES)
            rows.append(
                PreventiveTrial(
                    patient=p,
                    clinic_id=p.clinic_id,
                    drug=name,
                    drug_class=cls,
                    dose=dose,
                    at_target_dose=outcome != "contraindicated" and rng.random() < 0.8,
                    started_on=start,
                    ended_on=end,
                    outcome=outcome,
                )
            )
            start = end + dt.timedelta(days=rng.randint(14, 120))
    if rng.random() < 0.12:
        name, cls, dose = rng.choice(CONCERN_MEDS)
        rows.append(Medication(patient=p, clinic_id=p.clinic_id, name=name, drug_class=cls, dose=dose))
    if rng.random() < 0.2:
        rows.append(
            Allergy(
                patient=p,
                clinic_id=p.clinic_id,
                substance=rng.choice(["Penicillin", "Latex", "Sulfonamides", "Codeine"]),
                reaction="Rash",
                severity="mild",
            )
        )
    if rng.random() < 0.06:
        rows.append(
            HistoryItem(
                patient=p,
                clinic_id=p.clinic_id,
                condition=rng.choice(
                    ["swallowing_difficulty", "breathing_difficulty", "myasthenia_gravis", "breastfeeding"]
                ),
                details="From referral letter",
            )
        )
    return rows


def _bulk_patients(
    ctx: DemoContext, clinic: Clinic, n: int, prefix: str, rng: random.Random, label: str
) -> list[int]:
    task = ctx.task(label, n)
    ids: list[int] = []
    batch = 1000
    for start in range(0, n, batch):
        patients = [
            _patient(rng, clinic, i, ctx.today, prefix) for i in range(start + 1, min(n, start + batch) + 1)
        ]
        Patient.objects.bulk_create(patients, batch_size=batch)
        # bulk_create returns pks on PostgreSQL and on SQLite >= 3.35; re-read to be safe on both.
        created = list(
            Patient.objects.filter(clinic=clinic, mrn__in=[p.mrn for p in patients]).order_by("mrn")
        )
        by_kind: dict[type, list[object]] = {}
        for p in created:
            for row in _chart_rows(rng, p, ctx.today):
                by_kind.setdefault(type(row), []).append(row)
        for model, rows in by_kind.items():
            model.objects.bulk_create(rows, batch_size=2000)
        ids.extend(p.pk for p in created)
        ctx.advance(task, len(patients))
    return ids


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng_for("core")
    # A US clinic: the billing rules are the US CMS rules (CPT, HCPCS, NDC, JW/JZ), so its phone numbers,
    # emergency number, dates and time zone are American too (accounts/locale.py).
    ctx.clinic = Clinic.objects.create(
        name="Harbour Neurology Clinic",
        phone="(617) 555-0123",
        emergency_number="911",
        address="12 Harbour Street, Boston, MA 02110",
        country="US",
        time_zone="America/New_York",
        date_format="month_day_year",
        phone_format="nanp",
    )
    ctx.location = Location.objects.create(
        clinic=ctx.clinic, name="Harbour Street", address="12 Harbour Street, Boston, MA 02110"
    )
    Location.objects.create(
        clinic=ctx.clinic, name="Riverside satellite", address="3 Mill Lane, Cambridge, MA 02139"
    )
    ctx.other_clinic = Clinic.objects.create(
        name="Northgate Headache Center",
        phone="(312) 555-0145",
        emergency_number="911",
        address="400 North Gate Avenue, Chicago, IL 60611",
        country="US",
        time_zone="America/Chicago",
        date_format="numeric_us",
        phone_format="nanp",
    )
    ctx.staff = _staff(ctx, ctx.clinic)
    _staff(ctx, ctx.other_clinic, suffix="-northgate")
    ctx.patient_ids = _bulk_patients(ctx, ctx.clinic, ctx.n_patients, "HN", rng, "patients")
    _bulk_patients(ctx, ctx.other_clinic, max(3, ctx.n_patients // 20), "NG", rng, "other clinic")

    # The demo patient login: a chronic-migraine patient with a full chart.
    demo = Patient.objects.get(pk=ctx.patient_ids[0])
    PatientIndication.objects.filter(patient=demo).delete()
    Medication.objects.filter(patient=demo).delete()
    PreventiveTrial.objects.filter(patient=demo).delete()
    Allergy.objects.filter(patient=demo).delete()
    HistoryItem.objects.filter(patient=demo).delete()
    Patient.objects.filter(pk=demo.pk).update(
        first_name="Maya",
        last_name="Hart",
        sex="female",
        search_text=f"hart maya {demo.mrn}".lower(),
        email="maya.hart@example.net",
    )
    demo.refresh_from_db()
    PatientIndication.objects.create(
        patient=demo,
        indication="chronic_migraine",
        icd10="G43.719",
        diagnosed_on=demo.enrolled_on - dt.timedelta(days=700),
    )
    Medication.objects.create(patient=demo, name="Sumatriptan", drug_class="triptan", dose="50 mg as needed")
    Medication.objects.create(patient=demo, name="Ibuprofen", drug_class="nsaid", dose="400 mg as needed")
    start = demo.enrolled_on - dt.timedelta(days=900)
    for name, cls, dose, days, outcome in [
        ("Topiramate", "anticonvulsant", "50 mg twice daily", 120, "not_tolerated"),
        ("Propranolol", "beta_blocker", "80 mg daily", 98, "ineffective"),
        ("Amitriptyline", "antidepressant", "25 mg nightly", 84, "ineffective"),
    ]:
        PreventiveTrial.objects.create(
            patient=demo,
            drug=name,
            drug_class=cls,
            dose=dose,
            at_target_dose=True,
            started_on=start,
            ended_on=start + dt.timedelta(days=days),
            outcome=outcome,
        )
        start += dt.timedelta(days=days + 30)
    Allergy.objects.create(patient=demo, substance="Penicillin", reaction="Hives", severity="moderate")
    user = User.objects.create(
        username="patient",
        role=Role.PATIENT,
        clinic=ctx.clinic,
        first_name="Maya",
        last_name="Hart",
        email="maya.hart@example.net",
        password=make_password(DEMO_PASSWORD),
    )
    Patient.objects.filter(pk=demo.pk).update(user=user)
    demo.user = user
    ctx.demo_patient = demo
    ctx.logins.append(("Patient", "patient", DEMO_PASSWORD))

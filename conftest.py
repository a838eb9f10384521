"""Fixtures shared by every app's tests.

``world`` builds two clinics: in clinic A one user per role plus two patients with
portal logins; in clinic B a clinician and a patient. Every authorization test can
then ask who may and who may not.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TOXINCLINIC_DEV", "1")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEST_OUTPUT = Path(__file__).resolve().parent / "var" / "test-output"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery-9"


def pytest_report_header(config: Any) -> list[str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"toxinclinic database: {engine}"]


@pytest.fixture(autouse=True)
def _fast_hashers(settings: Any) -> None:
    # Argon2 is the production hasher (tested in test_passwords); fixtures need thousands of hashes.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _no_lockout_between_tests(db: Any) -> None:
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


@dataclass
class World:
    clinic: Any
    other_clinic: Any
    users: dict[str, Any]
    patient: Any
    patient2: Any
    other_patient: Any

    def user(self, role: str) -> Any:
        return self.users[role]


def make_patient(clinic: Any, mrn: str, first: str, last: str, user: Any = None) -> Any:
    from toxinclinic.patients.models import Patient

    return Patient.objects.create(
        clinic=clinic,
        mrn=mrn,
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(1985, 3, 14),
        sex="female",
        enrolled_on=dt.date(2025, 1, 6),
        user=user,
        email=f"{first.lower()}@example.net",
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def build_world() -> World:
    """The ``world`` fixture's records, for callers that hold their own transaction (the authorization
    sweep builds one world per module and rolls every request back to it)."""
    from toxinclinic.accounts.models import Clinic, Role, User

    a = Clinic.objects.create(name="Clinic A", phone="020 0000 0001")
    b = Clinic.objects.create(name="Clinic B", phone="020 0000 0002")

    def mk(username: str, role: str, clinic: Any, **kw: Any) -> Any:
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            clinic=clinic,
            first_name=username.title(),
            last_name="Tester",
            **kw,
        )

    users = {
        "nurse": mk("nurse", Role.NURSE, a),
        "clinician": mk("clinician", Role.CLINICIAN, a, is_prescriber=True),
        "injector": mk("injector", Role.CLINICIAN, a, is_prescriber=False),
        "coordinator": mk("coordinator", Role.COORDINATOR, a),
        "admin": mk("admin", Role.ADMIN, a),
        "patient": mk("patient", Role.PATIENT, a),
        "patient2": mk("patient2", Role.PATIENT, a),
        "other_clinician": mk("other_clinician", Role.CLINICIAN, b, is_prescriber=True),
        "other_patient": mk("other_patient", Role.PATIENT, b),
    }
    return World(
        clinic=a,
        other_clinic=b,
        users=users,
        patient=make_patient(a, "A001", "Ada", "Lovelace", users["patient"]),
        patient2=make_patient(a, "A002", "Grace", "Hopper", users["patient2"]),
        other_patient=make_patient(b, "B001", "Mary", "Somerville", users["other_patient"]),
    )


@pytest.fixture
def client_as(client: Any, world: World) -> Any:
    """``client_as("nurse")`` returns the test client signed in as that world user (None: anonymous)."""

    def login(role: str | None) -> Any:
        client.logout()
        if role is not None:
            client.force_login(world.user(role), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


# --- browser tests -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def screenshot_dir() -> Path:
    path = TEST_OUTPUT / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def browser_login(
    page: Any, base: str, username: str, password: str = PASSWORD, *, lands_home: bool = True
) -> None:
    """Sign in through the login form in the browser (``lands_home``: and check it reached /home/)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if lands_home:
        expect(page).to_have_url(f"{base}/home/")

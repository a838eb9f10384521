"""The diary's routes in the authorization matrix (see core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from toxinclinic.core.tests.authz import Route, expect

PATIENTS_ONLY = expect(anon=302, patient=200, patient2=200, other_patient=200, default=403)
PATIENTS_ONLY_API = expect(anon=401, patient=200, patient2=200, other_patient=200, default=403)
DIARY_READERS = dict(nurse=200, clinician=200, injector=200, coordinator=200, patient2=404, other_patient=404)


def path_keys(world: Any) -> dict[str, str]:
    from toxinclinic.diary import services

    today = timezone.localdate()
    clean = services.validate_day(world.patient, today, services.DayInput(headache=False))
    services.save_day(world.patient, clean, actor=world.user("patient"))
    return {"today": today.isoformat()}


ROUTES: list[Route] = [
    Route("diary:today", "GET", "/diary/", PATIENTS_ONLY),
    Route("diary:day", "GET", "/diary/day/{today}/", PATIENTS_ONLY),
    Route("diary:calendar", "GET", "/diary/calendar/", PATIENTS_ONLY),
    Route("diary:trends", "GET", "/diary/trends/", PATIENTS_ONLY),
    Route(
        "diary:trend_svg",
        "GET",
        "/diary/chart/{patient}/trend.svg",
        expect(anon=302, patient=200, admin=404, default=404, **{k: v for k, v in DIARY_READERS.items()}),
    ),
    Route(
        "diary:patient",
        "GET",
        "/diary/patients/{patient}/",
        expect(anon=302, patient=302, admin=403, default=404, **DIARY_READERS),
    ),
    Route("api:list_my_diary_days", "GET", "/api/v1/diary/entries", PATIENTS_ONLY_API),
    Route(
        "api:read_my_diary_day",
        "GET",
        "/api/v1/diary/entries/{today}",
        expect(anon=401, patient=200, patient2=404, other_patient=404, default=403),
    ),
    Route(
        "api:save_my_diary_day",
        "PUT",
        "/api/v1/diary/entries/{today}",
        expect(anon=401, patient=200, patient2=201, other_patient=201, default=403),
        body={"headache": False},
    ),
    Route("api:my_missing_diary_days", "GET", "/api/v1/diary/missing", PATIENTS_ONLY_API),
    Route("api:my_diary_summary", "GET", "/api/v1/diary/summary", PATIENTS_ONLY_API),
    Route(
        "api:list_patient_diary_days",
        "GET",
        "/api/v1/diary/patients/{patient}/entries",
        expect(anon=401, patient=200, admin=403, default=404, **DIARY_READERS),
    ),
    Route(
        "api:patient_diary_summary",
        "GET",
        "/api/v1/diary/patients/{patient}/summary",
        expect(anon=401, patient=200, admin=403, default=404, **DIARY_READERS),
    ),
]

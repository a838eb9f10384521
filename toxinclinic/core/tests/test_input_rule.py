"""One rule for numbers and dates in every form and every API body (toxinclinic.core.inputs): digits of
other scripts ("٣", "１２"), which Python reads as numbers, are refused with a message showing the
character; a JSON number is not a date ("date_of_birth": 0 was stored as 1 Jan 1970); true is not a
number. The guards walk every form class and every API body model, so a new field cannot miss the rule."""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from typing import Any

import pytest
from django import forms
from pydantic import BaseModel

import toxinclinic
from toxinclinic.core.inputs import CheckedInput
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.outcomes.models import QuestionnaireResponse
from toxinclinic.patients.models import Patient
from toxinclinic.testing import today

NUMBER_AND_DATE_FIELDS = (
    forms.IntegerField,
    forms.FloatField,
    forms.DecimalField,
    forms.DateField,
    forms.DateTimeField,
    forms.TimeField,
    forms.DurationField,
)
NEW_PATIENT = {
    "mrn": "D100",
    "first_name": "Zoe",
    "last_name": "Ng",
    "date_of_birth": "1980-02-02",
    "enrolled_on": "2025-01-01",
}


def _project_forms() -> list[type[forms.BaseForm]]:
    for m in pkgutil.walk_packages(toxinclinic.__path__, "toxinclinic."):
        if not any(part in m.name for part in (".tests", ".migrations", ".management", "settings")):
            importlib.import_module(m.name)

    def subclasses(c: type) -> list[type]:
        return [s for sub in c.__subclasses__() for s in (sub, *subclasses(sub))]

    return [f for f in subclasses(forms.BaseForm) if f.__module__.startswith("toxinclinic.")]


def test_every_number_and_date_field_of_every_form_refuses_other_digits() -> None:
    checked = []
    for form in _project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, NUMBER_AND_DATE_FIELDS):
                with pytest.raises(forms.ValidationError) as exc:
                    field.clean("١٢")
                assert exc.value.code == "other_script_digit", (form, name)
                checked.append(f"{form.__name__}.{name}")
    assert {"DiaryDayForm.duration_hours", "VialUseForm.units_administered", "ReceiveForm.count"} <= set(
        checked
    )
    assert forms.DecimalField().clean("12.5") == 12.5 and forms.IntegerField().clean(" 12 ") == 12


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_every_api_body_model_carries_the_rule() -> None:
    from toxinclinic.api.main import api

    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = []
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for op in view.operations:
                for params in op.models:
                    if params.__ninja_param_source__ == "body":
                        for f in params.model_fields.values():
                            todo += _models(f.annotation)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        assert issubclass(model, CheckedInput), model
        for f in model.model_fields.values():
            todo += _models(f.annotation)
    assert len(seen) > 25


def _json(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _error(resp: Any) -> tuple[str, str]:
    assert resp.status_code == 422, resp.content
    (d,) = resp.json()["detail"]
    return d["loc"][-1], d["msg"]


@pytest.mark.parametrize("dob", [0, "0", 1.5, "1700000000"])
def test_a_number_is_not_a_date_of_birth(world: Any, client_as: Any, dob: Any) -> None:
    field, msg = _error(
        _json(client_as("nurse"), "post", "/api/v1/patients", {**NEW_PATIENT, "date_of_birth": dob})
    )
    assert field == "date_of_birth" and msg.startswith("Give the date as text, YYYY-MM-DD")
    assert not Patient.objects.filter(mrn="D100").exists()


def test_patient_dates_and_hidden_version_in_other_digits(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    resp = c.post("/patients/new/", {**NEW_PATIENT, "sex": "female", "date_of_birth": "١٩٨٠-02-02"})
    assert resp.status_code == 400 and "“١” (arabic-indic digit one)" in resp.content.decode()
    field, msg = _error(
        _json(
            c, "patch", f"/api/v1/patients/{world.patient.public_id}", {"version": "١", "first_name": "Ann"}
        )
    )
    assert field == "version" and "digit of another script" in msg
    assert not Patient.objects.filter(mrn="D100").exists()
    world.patient.refresh_from_db()
    assert world.patient.first_name == "Ada"


def test_diary_hours_in_other_digits_form_and_api(world: Any, client_as: Any) -> None:
    c = client_as("patient")
    resp = c.post(
        f"/diary/day/{today()}/", {"headache": "yes", "duration_hours": "٣", "severity": "moderate"}
    )
    assert resp.status_code == 400 and "“٣” (arabic-indic digit three)" in resp.content.decode()
    body = {"headache": True, "duration_hours": "٣", "severity": "moderate"}
    field, msg = _error(_json(c, "put", f"/api/v1/diary/entries/{today()}", body))
    assert field == "duration_hours" and "digit of another script" in msg
    field, msg = _error(_json(c, "put", f"/api/v1/diary/entries/{today()}", {**body, "duration_hours": True}))
    # The diary's hours rule answers for its field (with what to enter), not the generic one.
    assert field == "duration_hours" and msg.startswith("Hours: true is not a number of hours")
    assert not DiaryEntry.objects.exists()


def test_questionnaire_answer_in_other_digits(world: Any, client_as: Any) -> None:
    answers = {"q1": "٤", "q2": 2, "q3": 3, "q4": 1, "q5": 2, "a": 40, "b": 7}
    resp = _json(client_as("patient"), "post", "/api/v1/questionnaires/midas/responses", {"answers": answers})
    assert resp.status_code == 422
    (d,) = resp.json()["detail"]
    assert d["loc"] == ["body", "answers.q1"]
    assert "“٤” (arabic-indic digit four) is a digit of another script" in d["msg"]
    assert not QuestionnaireResponse.objects.exists()


def test_injection_units_in_other_digits(world: Any, client_as: Any) -> None:
    from toxinclinic.visits.tests.helpers import draft_visit

    v = draft_visit(world)
    site = {"site_id": "x", "muscle": "procerus", "side": "midline", "units": "１２"}
    resp = _json(
        client_as("clinician"),
        "put",
        f"/api/v1/visits/{v.public_id}/injections",
        {"version": v.version, "sites": [site]},
    )
    field, msg = _error(resp)
    assert field == "units" and "“１” (fullwidth digit one)" in msg
    assert v.sites.count() == 0

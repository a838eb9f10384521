"""Half of a UTF-16 surrogate pair in a JSON string (``"a\\ud800b"``, or its raw bytes) is not valid
Unicode: saving it failed with a 500 on both databases. It is refused up front like a NUL character, 422
naming the field, and nothing is stored. A proper pair (an emoji) is still welcome."""

from __future__ import annotations

import json
from typing import Any

from toxinclinic.audit.models import AuditEvent
from toxinclinic.diary.models import DiaryEntry
from toxinclinic.patients.models import Patient
from toxinclinic.testing import today

NEW_PATIENT = {
    "mrn": "S100",
    "first_name": "Zoe",
    "last_name": "Ng",
    "date_of_birth": "1980-02-02",
    "enrolled_on": "2025-01-01",
}


def _raw(client: Any, method: str, url: str, body: bytes, ctype: str = "application/json") -> Any:
    return getattr(client, method)(url, body, content_type=ctype)


def _only_error(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 422, resp.content
    (detail,) = resp.json()["detail"]
    return detail


def test_diary_note_with_a_lone_surrogate(world: Any, client_as: Any) -> None:
    c = client_as("patient")
    url = f"/api/v1/diary/entries/{today()}"
    body = b'{"headache": false, "note": "a\\ud800b"}'
    d = _only_error(_raw(c, "put", url, body))
    assert d["loc"] == ["body", "note"] and "unpaired UTF-16 surrogate" in d["msg"]
    assert (
        not DiaryEntry.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="diary.").exists()
    )
    # The low half alone, in upper case, is the same mistake.
    assert _only_error(_raw(c, "put", url, b'{"headache": false, "note": "\\uDC00"}'))["loc"] == [
        "body",
        "note",
    ]
    ok = _raw(c, "put", url, json.dumps({"headache": False, "note": "fine \U0001f600"}).encode())
    assert ok.status_code == 201 and DiaryEntry.objects.get().note == "fine \U0001f600"


def test_patient_names_with_a_lone_surrogate(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    body = json.dumps(NEW_PATIENT).replace('"Zoe"', '"Zo\\ud800e"').encode()
    d = _only_error(_raw(c, "post", "/api/v1/patients", body))
    assert d["loc"] == ["body", "first_name"]
    # The raw UTF-8-style bytes of a surrogate (which Python's JSON reader lets through), and a body sent
    # as text/plain (the API reads any body as JSON), are caught the same way.
    raw = json.dumps(NEW_PATIENT).encode().replace(b'"Ng"', b'"N\xed\xa0\x80g"')
    assert _only_error(_raw(c, "post", "/api/v1/patients", raw))["loc"] == ["body", "last_name"]
    assert _only_error(_raw(c, "post", "/api/v1/patients", body, "text/plain"))["loc"] == [
        "body",
        "first_name",
    ]
    assert not Patient.objects.filter(mrn="S100").exists()
    patch = b'{"version": 1, "first_name": "\\ud83d"}'
    url = f"/api/v1/patients/{world.patient.public_id}"
    assert _only_error(_raw(c, "patch", url, patch))["loc"] == ["body", "first_name"]
    world.patient.refresh_from_db()
    assert world.patient.first_name == "Ada" and world.patient.version == 1
    pair = json.dumps({**NEW_PATIENT, "first_name": "Zo\U0001f600"}).encode()  # escaped as a valid pair
    assert b"\\ud83d\\ude00" in pair
    assert _raw(c, "post", "/api/v1/patients", pair).status_code == 201


def test_a_surrogate_in_a_key_or_a_list(world: Any, client_as: Any) -> None:
    c = client_as("patient")
    url = f"/api/v1/diary/entries/{today()}"
    d = _only_error(_raw(c, "put", url, b'{"headache": false, "medications": ["x", "\\ud800"]}'))
    assert d["loc"] == ["body", "medications", "1"]
    d = _only_error(_raw(c, "put", url, b'{"headache": false, "n\\ud800": 1}'))
    assert d["loc"] == ["body", "n?"]
    assert not DiaryEntry.objects.exists()

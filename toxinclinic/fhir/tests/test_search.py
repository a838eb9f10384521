"""Search parameters, keyset paging links, _summary=count, _include, and the error statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toxinclinic.fhir.tests.helpers import full_chart, get_token, make_client
from toxinclinic.testing import today


@pytest.fixture
def tok(world: Any, client: Any) -> str:
    full_chart(world)
    c, key = make_client(world.clinic)
    return get_token(client, c, key)


def get(client: Any, tok: str, path: str, **params: Any) -> Any:
    return client.get(f"/fhir/R4/{path}", params, HTTP_AUTHORIZATION=f"Bearer {tok}")


def ids(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


@pytest.mark.django_db
def test_paging_follows_next_links_without_repeats(world: Any, client: Any, tok: str) -> None:
    everything = ids(get(client, tok, "Observation", _count=500).json())
    assert len(everything) >= 6
    seen: list[str] = []
    r = get(client, tok, "Observation", _count=2).json()
    pages = 0
    while True:
        pages += 1
        assert len(ids(r)) <= 2
        seen += ids(r)
        nxt = [link["url"] for link in r["link"] if link["relation"] == "next"]
        if not nxt:
            break
        assert "_offset" not in nxt[0] and "_cursor=" in nxt[0]
        r = client.get(nxt[0], HTTP_AUTHORIZATION=f"Bearer {tok}").json()
    assert seen == everything and pages == (len(everything) + 1) // 2
    count = get(client, tok, "Observation", _summary="count").json()
    assert count["total"] == len(everything) and "entry" not in count
    ma = get(client, tok, "MedicationAdministration", _count=7).json()
    assert len(ids(ma)) == 7 and any(link["relation"] == "next" for link in ma["link"])


@pytest.mark.django_db
def test_date_prefixes_patient_code_and_id(world: Any, client: Any, tok: str) -> None:
    pid = str(world.patient.public_id)
    start = today() - dt.timedelta(days=3)
    days = get(client, tok, "Observation", patient=pid, code="diary-day").json()
    assert len(ids(days)) == 3
    later = get(
        client, tok, "Observation", patient=f"Patient/{pid}", code="diary-day", date=f"gt{start}"
    ).json()
    assert len(ids(later)) == 2
    assert len(ids(get(client, tok, "Observation", code="diary-day", date=f"ge{start}").json())) == 3
    assert len(ids(get(client, tok, "Observation", code="diary-day", date=f"lt{start}").json())) == 0
    assert len(ids(get(client, tok, "Observation", code="diary-day", date=f"le{start}").json())) == 1
    assert len(ids(get(client, tok, "Observation", code="diary-day", date=f"eq{start}").json())) == 1
    assert (
        len(ids(get(client, tok, "Condition", code="http://hl7.org/fhir/sid/icd-10-cm|G43.709").json())) == 1
    )
    assert ids(get(client, tok, "Condition", code="G24.3").json()) == []
    proc = get(client, tok, "Procedure", code="http://www.ama-assn.org/go/cpt|64615").json()
    assert len(ids(proc)) == 1
    one = ids(proc)[0]
    assert ids(get(client, tok, "Procedure", _id=one).json()) == [one]
    assert (
        len(ids(get(client, tok, "Patient", _lastUpdated=f"ge{today() - dt.timedelta(days=1)}").json())) >= 1
    )
    assert ids(get(client, tok, "Patient", _lastUpdated="lt2000-01-01").json()) == []
    other = str(world.patient2.public_id)
    assert ids(get(client, tok, "Observation", patient=other).json()) == []


@pytest.mark.django_db
def test_include_patient(world: Any, client: Any, tok: str) -> None:
    b = get(client, tok, "Condition", _include="Condition:patient").json()
    included = [e["resource"] for e in b["entry"] if e["search"]["mode"] == "include"]
    assert [r["resourceType"] for r in included] == ["Patient"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,params,status",
    [
        ("Observation", {"colour": "red"}, 400),
        ("Observation", {"date": "ge2026-13-01"}, 400),
        ("Observation", {"date": "after-lunch"}, 400),
        ("Observation", {"_count": "many"}, 400),
        ("Observation", {"patient": "not-a-uuid"}, 400),
        ("Observation", {"_summary": "text"}, 400),
        ("Observation", {"_cursor": "forged"}, 400),
        ("Observation", {"_format": "xml"}, 406),
        ("Patient", {"date": "ge2020-01-01"}, 400),
        ("Basic", {}, 404),
        ("Patient/00000000-0000-0000-0000-000000000000", {}, 404),
    ],
)
def test_errors_are_operation_outcomes(
    client: Any, tok: str, path: str, params: dict[str, str], status: int
) -> None:
    r = get(client, tok, path, **params)
    assert r.status_code == status, r.content
    assert r.json()["resourceType"] == "OperationOutcome"


@pytest.mark.django_db
def test_deleted_record_is_410(world: Any, client: Any, tok: str) -> None:
    from toxinclinic.patients.models import Allergy
    from toxinclinic.patients.services import delete_record

    allergy = Allergy.objects.get(patient=world.patient)
    assert get(client, tok, f"AllergyIntolerance/{allergy.public_id}").status_code == 200
    delete_record(allergy, None, actor=world.user("clinician"), action="allergy.deleted")
    r = get(client, tok, f"AllergyIntolerance/{allergy.public_id}")
    assert r.status_code == 410 and r.json()["issue"][0]["code"] == "deleted"

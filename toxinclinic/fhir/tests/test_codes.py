"""Standard codes written beside the local ones: each with its system and display, each resource valid.
Only verified codes are written (docs/fhir.md names the sources); the tests also pin where none is."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from toxinclinic.fhir import codes
from toxinclinic.fhir.tests.helpers import full_chart, get_token, make_client


def _read(client: Any, tok: str, path: str) -> dict[str, Any]:
    r = client.get(f"/fhir/R4/{path}", HTTP_AUTHORIZATION=f"Bearer {tok}")
    assert r.status_code == 200, r.content[:300]
    res = r.json()
    get_fhir_model_class(res["resourceType"]).model_validate(res)
    return res


def _codings(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["system"]: c for c in res["code"]["coding"]}


@pytest.mark.django_db
def test_condition_carries_icd10_and_the_verified_snomed_concept(world: Any, client: Any) -> None:
    from toxinclinic.patients.models import PatientIndication

    p = world.patient
    intractable = PatientIndication.objects.create(patient=p, indication="chronic_migraine", icd10="G43.719")
    dystonia = PatientIndication.objects.create(patient=p, indication="cervical_dystonia", icd10="G24.3")
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)

    cm = _codings(_read(client, tok, f"Condition/{intractable.public_id}"))
    assert cm[codes.ICD10CM] == {
        "system": "http://hl7.org/fhir/sid/icd-10-cm",
        "code": "G43.719",
        "display": "Chronic migraine without aura, intractable, without status migrainosus",
    }
    assert cm[codes.SNOMED] == {
        "system": "http://snomed.info/sct",
        "code": "124171000119105",
        "display": "Chronic intractable migraine without aura",
    }
    # No SNOMED CT concept was verified for spasmodic torticollis: ICD-10-CM and the local code only.
    found = client.get(
        "/fhir/R4/Condition",
        {"code": "http://snomed.info/sct|124171000119105"},
        HTTP_AUTHORIZATION=f"Bearer {tok}",
    ).json()
    assert [e["resource"]["id"] for e in found["entry"]] == [str(intractable.public_id)]
    cd = _codings(_read(client, tok, f"Condition/{dystonia.public_id}"))
    assert set(cd) == {codes.ICD10CM, codes.LOCAL}
    assert cd[codes.ICD10CM]["code"] == "G24.3" and cd[codes.ICD10CM]["display"]


@pytest.mark.django_db
def test_not_intractable_chronic_migraine_has_no_snomed_coding(world: Any, client: Any) -> None:
    chart = full_chart(world)  # G43.709
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)
    found = _codings(_read(client, tok, f"Condition/{chart['condition'].public_id}"))
    assert set(found) == {codes.ICD10CM, codes.LOCAL}


@pytest.mark.django_db
def test_pain_score_carries_loinc_and_other_totals_only_local_codes(world: Any, client: Any) -> None:
    from toxinclinic.outcomes.services import submit
    from toxinclinic.patients.models import PatientIndication

    p = world.patient
    PatientIndication.objects.create(patient=p, indication="cervical_dystonia", icd10="G24.3")
    pain = submit(p, "pain_nrs", {"pain": 6}, actor=None)
    midas = submit(p, "midas", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "a": 1, "b": 1}, actor=None)
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)

    obs = _read(client, tok, f"Observation/qt-{pain.public_id}")
    assert _codings(obs)[codes.LOINC] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert obs["valueQuantity"]["value"] == 6
    assert set(_codings(_read(client, tok, f"Observation/qt-{midas.public_id}"))) == {codes.LOCAL}
    # The standard code is a search key too.
    found = client.get(
        "/fhir/R4/Observation", {"code": "http://loinc.org|72514-3"}, HTTP_AUTHORIZATION=f"Bearer {tok}"
    ).json()
    assert [e["resource"]["id"] for e in found["entry"]] == [f"qt-{pain.public_id}"]


@pytest.mark.django_db
def test_procedure_carries_cpt_and_no_unverified_snomed(world: Any, client: Any) -> None:
    chart = full_chart(world)
    c, key = make_client(world.clinic)
    tok = get_token(client, c, key)
    proc = _read(client, tok, f"Procedure/{chart['visit'].public_id}")
    found = _codings(proc)
    assert set(found) == {codes.CPT}
    assert found[codes.CPT]["code"] in {"64615", "64616"} and found[codes.CPT]["display"]

"""Intake import: round trip (export a patient, import into an empty clinic, export again: the same
clinical content) and a bad bundle that changes nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from toxinclinic.accounts.models import Clinic
from toxinclinic.fhir.importer import ImportRefused, import_bundle
from toxinclinic.fhir.tests.helpers import full_chart, get_token, make_client
from toxinclinic.patients.models import Allergy, Medication, Patient, PatientIndication, PreventiveTrial

TYPES = ["Patient", "Condition", "AllergyIntolerance", "MedicationStatement"]
_VOLATILE = {"id", "meta", "subject", "patient", "recordedDate", "dateAsserted", "managingOrganization"}


def export_patient(client: Any, tok: str, pid: str) -> list[dict[str, Any]]:
    out = []
    for t in TYPES:
        params = {"_id": pid} if t == "Patient" else {"patient": pid}
        b = client.get(f"/fhir/R4/{t}", {**params, "_count": 500}, HTTP_AUTHORIZATION=f"Bearer {tok}").json()
        out += [e["resource"] for e in b.get("entry", [])]
    return out


def clinical(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What must survive the trip: everything but ids, times of recording and references."""
    out = []
    for r in resources:
        r = {k: v for k, v in copy.deepcopy(r).items() if k not in _VOLATILE}
        for ident in r.get("identifier", []):
            ident.pop("system", None)  # the MRN system names the clinic
        out.append(r)
    return sorted(out, key=repr)


def as_bundle(resources: list[dict[str, Any]], kind: str = "transaction") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def _repoint(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # A transaction bundle refers to its Patient by the entry's fullUrl.
    pid = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    for r in resources:
        for k in ("subject", "patient"):
            if k in r:
                r[k] = {"reference": f"urn:uuid:{pid}"}
    return resources


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["transaction", "collection"])
def test_round_trip_into_an_empty_clinic(world: Any, client: Any, kind: str) -> None:
    full_chart(world)
    a, key = make_client(world.clinic)
    first = export_patient(client, get_token(client, a, key), str(world.patient.public_id))
    assert {r["resourceType"] for r in first} == set(TYPES)
    empty = Clinic.objects.create(name="Empty", phone="1")
    result = import_bundle(as_bundle(_repoint(copy.deepcopy(first)), kind), empty)
    assert len(result.patients) == 1
    b, key_b = make_client(empty)
    again = export_patient(client, get_token(client, b, key_b), str(result.patients[0].public_id))
    assert clinical(again) == clinical(first)
    # Importing the same bundle again updates, it does not duplicate.
    import_bundle(as_bundle(_repoint(copy.deepcopy(first)), kind), empty)
    assert Patient.objects.filter(clinic=empty).count() == 1
    assert Medication.objects.filter(clinic=empty).count() == 1
    assert PreventiveTrial.objects.filter(clinic=empty).count() == 1


@pytest.mark.django_db
def test_a_bad_bundle_changes_nothing_and_says_which_entry(world: Any) -> None:
    empty = Clinic.objects.create(name="Empty", phone="1")
    good_patient = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"value": "X1"}],
        "name": [{"family": "Hopper", "given": ["Grace"]}],
        "birthDate": "1980-02-01",
    }
    bundle = as_bundle(
        [
            good_patient,
            {
                "resourceType": "Condition",
                "id": "c1",
                "subject": {"reference": "urn:uuid:p1"},
                "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G43.709"}]},
            },
            {"resourceType": "Immunization", "id": "i1"},
            {
                "resourceType": "Condition",
                "id": "c2",
                "subject": {"reference": "urn:uuid:p1"},
                "code": {"text": "Asthma"},
            },
            {
                "resourceType": "AllergyIntolerance",
                "id": "a1",
                "patient": {"reference": "Patient/elsewhere"},
                "code": {"text": "Latex"},
            },
            {
                "resourceType": "MedicationStatement",
                "id": "m1",
                "status": "bogus",
                "subject": {"reference": "urn:uuid:p1"},
                "medicationCodeableConcept": {"text": "Aspirin"},
            },
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        import_bundle(bundle, empty)
    issues = [i["diagnostics"] for i in refused.value.outcome["issue"]]
    assert any(i.startswith("Bundle.entry[2]") and "Immunization" in i for i in issues)
    assert any(i.startswith("Bundle.entry[3]") for i in issues)
    assert any(i.startswith("Bundle.entry[4]") for i in issues)
    assert any(i.startswith("Bundle.entry[5]") for i in issues)
    assert not any(i.startswith(("Bundle.entry[0]", "Bundle.entry[1]")) for i in issues)
    assert not Patient.objects.filter(clinic=empty).exists()
    assert not PatientIndication.objects.filter(clinic=empty).exists()
    assert not Allergy.objects.filter(clinic=empty).exists()
    with pytest.raises(ImportRefused):
        import_bundle({"resourceType": "Bundle", "type": "searchset"}, empty)


@pytest.mark.django_db
def test_import_over_http_needs_a_registered_write_scope(world: Any, client: Any) -> None:
    import json

    bundle = as_bundle(
        [
            {
                "resourceType": "Patient",
                "id": "p1",
                "identifier": [{"value": "Z9"}],
                "name": [{"family": "Noether", "given": ["Emmy"]}],
                "birthDate": "1982-03-23",
            },
            {
                "resourceType": "MedicationStatement",
                "id": "m1",
                "status": "active",
                "subject": {"reference": "urn:uuid:p1"},
                "medicationCodeableConcept": {"text": "Warfarin"},
                "category": {
                    "coding": [{"system": "urn:toxinclinic:fhir:codes", "code": "class-anticoagulant"}]
                },
            },
        ]
    )
    reader, rkey = make_client(world.clinic)
    tok = get_token(client, reader, rkey)
    post = {"content_type": "application/fhir+json", "HTTP_AUTHORIZATION": f"Bearer {tok}"}
    assert client.post("/fhir/R4/", json.dumps(bundle), **post).status_code == 403
    writer, wkey = make_client(
        world.clinic, scopes="system/*.read system/Patient.write system/MedicationStatement.write"
    )
    tok = get_token(client, writer, wkey, scope="system/Patient.write system/MedicationStatement.write")
    post["HTTP_AUTHORIZATION"] = f"Bearer {tok}"
    r = client.post("/fhir/R4/", json.dumps(bundle), **post)
    assert r.status_code == 200, r.content
    assert [e["response"]["status"] for e in r.json()["entry"]] == ["201 Created", "201 Created"]
    med = Medication.objects.get(patient__mrn="Z9", clinic=world.clinic)
    assert med.drug_class == "anticoagulant"
    bad = client.post(
        "/fhir/R4/",
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"resource": {"resourceType": "Patient"}}],
            }
        ),
        **post,
    )
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "entry",
    [
        "not an entry",
        {"resource": "Patient"},
        {"resource": {"resourceType": ["Patient"]}},
        {"resource": {"resourceType": {"a": 1}}},
        {"resource": {"resourceType": "Patient", "id": 7}},
        {"fullUrl": ["urn:uuid:x"], "resource": {"resourceType": "Patient"}},
    ],
    ids=["string", "resource-not-object", "type-list", "type-object", "id-number", "fullurl-list"],
)
def test_a_misshapen_entry_is_a_400_not_a_crash(world: Any, client: Any, entry: Any) -> None:
    """Found by ``make fuzz``: a resourceType that was not text crashed the scope check (500)."""
    import json

    writer, wkey = make_client(world.clinic, scopes="system/*.read system/Patient.write")
    tok = get_token(client, writer, wkey, scope="system/Patient.write")
    before = Patient.objects.count()
    r = client.post(
        "/fhir/R4/",
        json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [entry]}),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {tok}",
    )
    assert r.status_code == 400, r.content
    assert r["Content-Type"].startswith("application/fhir+json")
    body = r.json()
    assert body["resourceType"] == "OperationOutcome"
    assert "Bundle.entry[0]" in body["issue"][0]["diagnostics"]
    assert Patient.objects.count() == before


@pytest.mark.django_db
def test_entry_that_is_not_a_list_is_refused(world: Any, client: Any) -> None:
    import json

    writer, wkey = make_client(world.clinic, scopes="system/*.read system/Patient.write")
    tok = get_token(client, writer, wkey, scope="system/Patient.write")
    r = client.post(
        "/fhir/R4/",
        json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": {"resource": {}}}),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {tok}",
    )
    assert r.status_code == 400 and "must be a list" in r.json()["issue"][0]["diagnostics"]


@pytest.mark.django_db
def test_an_id_with_a_newline_is_a_fhir_404(client: Any) -> None:
    """Found by ``make fuzz``: the catch-all route did not match across a newline, so Django's HTML 404
    answered a FHIR client."""
    r = client.get("/fhir/R4/MedicationAdministration/_N%0AE")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/fhir+json")
    assert r.json()["resourceType"] == "OperationOutcome"

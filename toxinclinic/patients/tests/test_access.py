"""The one door to a chart (``patients.access``): who gets the record, who gets 403/404, which reads
are audited; ``record_for`` for a record reached by its own id."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from toxinclinic.accounts.models import Role, User
from toxinclinic.accounts.permissions import can_view_chart
from toxinclinic.audit.models import AuditEvent
from toxinclinic.patients.access import chart_for, own_patient, patient_only, record_for
from toxinclinic.patients.models import Allergy

pytestmark = pytest.mark.django_db


def _reads(patient: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="chart.viewed", patient_id=patient.pk).order_by("id"))


def _request(user: Any) -> HttpRequest:
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = user
    return request


# ----------------------------------------------------------------------------------------- own_patient


def test_own_patient_is_the_linked_record_with_its_clinic(world: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        patient = own_patient(world.user("patient"))
        assert patient.clinic.name == "Clinic A"  # loaded with the record, no second query
    assert patient.pk == world.patient.pk
    assert patient.public_id == world.patient.public_id and patient.version == world.patient.version
    assert own_patient(world.user("other_patient")).pk == world.other_patient.pk


@pytest.mark.parametrize("role", ["nurse", "clinician", "coordinator", "admin", "other_clinician"])
def test_own_patient_refuses_staff_with_the_text_given(world: Any, role: str) -> None:
    with pytest.raises(PermissionDenied) as exc:
        own_patient(world.user(role))
    assert "Only the patient" in str(exc.value)
    with pytest.raises(PermissionDenied, match="staff read it elsewhere"):
        own_patient(world.user(role), refused="Kept by the patient; staff read it elsewhere.")


def test_own_patient_refuses_anonymous(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        own_patient(AnonymousUser())
    with pytest.raises(PermissionDenied):
        own_patient(None)


def test_own_patient_of_an_unlinked_patient_login_is_404(world: Any) -> None:
    unlinked = User.objects.create_user(username="unlinked", role=Role.PATIENT, clinic=world.clinic)
    with pytest.raises(Http404, match="No patient record"):
        own_patient(unlinked)


# ------------------------------------------------------------------------------------------- chart_for


def test_chart_for_staff_of_the_clinic_records_the_read_as_what(world: Any) -> None:
    nurse = world.user("nurse")
    patient = chart_for(_request(nurse), world.patient.public_id, what="diary (API)")
    assert patient.pk == world.patient.pk
    [read] = _reads(world.patient)
    assert read.actor_id == nurse.pk and read.data == {"what": "diary (API)"}
    assert read.clinic_id == world.clinic.pk
    # A user works as well as a request; the default names the whole chart.
    chart_for(nurse, str(world.patient.public_id))
    assert [e.data["what"] for e in _reads(world.patient)] == ["diary (API)", "chart"]


def test_chart_for_with_what_none_records_nothing(world: Any) -> None:
    chart_for(_request(world.user("clinician")), world.patient.public_id, what=None)
    assert _reads(world.patient) == []


def test_a_patient_reading_their_own_chart_is_not_an_access_event(world: Any) -> None:
    patient = chart_for(_request(world.user("patient")), world.patient.public_id, what="diary")
    assert patient.pk == world.patient.pk
    assert _reads(world.patient) == []


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("other_clinician", "patient"),  # another clinic's staff
        ("clinician", "other_patient"),
        ("patient", "patient2"),  # another patient of the same clinic
        ("patient2", "patient"),
    ],
)
def test_chart_for_someone_elses_chart_is_404_and_records_nothing(world: Any, role: str, target: str) -> None:
    patient = getattr(world, target)
    with pytest.raises(Http404, match="No such patient"):
        chart_for(_request(world.user(role)), patient.public_id, what="chart")
    assert _reads(patient) == []


@pytest.mark.parametrize("patient_id", [uuid.uuid4(), "not-a-uuid", "", "1"])
def test_chart_for_unknown_or_malformed_ids_is_404(world: Any, patient_id: Any) -> None:
    with pytest.raises(Http404):
        chart_for(_request(world.user("clinician")), patient_id)
    assert not AuditEvent.objects.filter(action="chart.viewed").exists()


def test_chart_for_anonymous_is_404(world: Any) -> None:
    with pytest.raises(Http404):
        chart_for(_request(AnonymousUser()), world.patient.public_id)


def test_chart_for_a_failing_use_case_is_403_and_records_nothing(world: Any) -> None:
    asked: list[tuple[Any, Any]] = []

    def can(user: Any, patient: Any) -> bool:
        asked.append((user, patient))
        return False

    nurse = world.user("nurse")
    with pytest.raises(PermissionDenied):
        chart_for(_request(nurse), world.patient.public_id, can=can, what="diary")
    assert asked == [(nurse, world.patient)]
    assert _reads(world.patient) == []


def test_chart_for_a_passing_use_case_opens_the_chart(world: Any) -> None:
    patient = chart_for(_request(world.user("nurse")), world.patient.public_id, can=lambda u, p: True)
    assert patient.pk == world.patient.pk
    assert len(_reads(world.patient)) == 1


def test_chart_for_hidden_answers_a_failing_use_case_like_an_unknown_id(world: Any) -> None:
    with pytest.raises(Http404, match="No such patient"):
        chart_for(world.user("admin"), world.patient.public_id, can=lambda u, p: False, hidden=True)
    assert _reads(world.patient) == []


def test_chart_for_never_checks_the_use_case_before_the_clinic(world: Any) -> None:
    # The use case is asked only about charts the user may see at all (no hint that an id exists).
    called: list[Any] = []
    with pytest.raises(Http404):
        chart_for(world.user("other_clinician"), world.patient.public_id, can=lambda u, p: called.append(p))
    assert called == []


# ------------------------------------------------------------------------------------------ record_for


def _allergy(patient: Any) -> Allergy:
    return Allergy.objects.create(patient=patient, substance="Albumin", severity="severe")


def test_record_for_opens_the_record_and_records_the_read_on_its_patient(world: Any) -> None:
    allergy = _allergy(world.patient)
    nurse = world.user("nurse")
    got = record_for(nurse, Allergy.objects.all(), str(allergy.public_id), can=can_view_chart, what="allergy")
    assert got.pk == allergy.pk and got.patient.clinic.pk == world.clinic.pk
    [read] = _reads(world.patient)
    assert read.actor_id == nurse.pk and read.data == {"what": "allergy"}
    record_for(nurse, Allergy.objects.all(), allergy.public_id, can=can_view_chart, what=None)
    record_for(world.user("patient"), Allergy.objects.all(), allergy.public_id, can=can_view_chart, what="x")
    assert len(_reads(world.patient)) == 1  # none for what=None, none for the patient themself


@pytest.mark.parametrize("who", ["other_clinician", "patient2", "refused"])
def test_record_for_someone_it_refuses_is_the_missing_404(world: Any, who: str) -> None:
    allergy = _allergy(world.patient)
    user = world.user("nurse" if who == "refused" else who)
    can = (lambda u, p: False) if who == "refused" else can_view_chart
    with pytest.raises(Http404, match="No such allergy"):
        record_for(
            user, Allergy.objects.all(), allergy.public_id, can=can, what="x", missing="No such allergy."
        )
    assert _reads(world.patient) == []


@pytest.mark.parametrize("record_id", [uuid.uuid4(), "nope"])
def test_record_for_unknown_ids_is_404(world: Any, record_id: Any) -> None:
    _allergy(world.patient)
    with pytest.raises(Http404):
        record_for(world.user("nurse"), Allergy.objects.all(), record_id, can=can_view_chart, what="x")


def test_record_for_looks_only_in_the_queryset_given(world: Any) -> None:
    allergy = _allergy(world.patient)
    with pytest.raises(Http404):
        record_for(
            world.user("nurse"), Allergy.objects.none(), allergy.public_id, can=can_view_chart, what="x"
        )


# ---------------------------------------------------------------------------------------- patient_only


@patient_only
def _view(request: HttpRequest, patient: Any, word: str = "") -> HttpResponse:
    return HttpResponse(f"{patient.public_id} {word}")


def test_patient_only_passes_the_patient_and_the_url_arguments(world: Any) -> None:
    r = _view(_request(world.user("patient")), word="hello")
    assert r.status_code == 200
    assert r.content.decode() == f"{world.patient.public_id} hello"


def test_patient_only_sends_anonymous_to_sign_in_and_back(world: Any) -> None:
    r = _view(_request(AnonymousUser()))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login") + "?")
    assert "next=/somewhere/%3Fx%3D1" in r["Location"]


@pytest.mark.parametrize("role", ["nurse", "clinician", "admin", "other_clinician"])
def test_patient_only_refuses_staff(world: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _view(_request(world.user(role)))


def test_patient_only_views_answer_403_and_302_through_the_stack(world: Any, client_as: Any) -> None:
    # A real patient-only screen (the diary calendar) through middleware and the 403 page.
    assert client_as("patient").get("/diary/calendar/").status_code == 200
    assert client_as("nurse").get("/diary/calendar/").status_code == 403
    r = client_as(None).get("/diary/calendar/")
    assert r.status_code == 302 and "next=" in r["Location"]

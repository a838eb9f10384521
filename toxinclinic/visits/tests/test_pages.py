"""The visit's HTML steps without JavaScript: start, screen, consent, chart (template, follow-the-pain,
remove, check), vial, sign — with the form errors a person would see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from toxinclinic.visits.models import Visit, VisitStatus
from toxinclinic.visits.services import SCREENING_KEYS
from toxinclinic.visits.tests.helpers import draft_visit, location, vials

pytestmark = pytest.mark.django_db


def _chart_form(v: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"version": str(v.version), "site": [], **extra}
    for s in v.sites.all():
        data["site"].append(f"{s.site_id}|{s.muscle}|{s.side}|{'1' if s.follow_the_pain else '0'}")
        data[f"units:{s.site_id}"] = str(s.units)
    return data


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_visit_by_forms(world: Any) -> None:
    loc = location(world.clinic)
    nurse = _client(world.user("nurse"))
    resp = nurse.post(
        f"/visits/patient/{world.patient.public_id}/",
        {
            "visit_date": timezone.localdate().isoformat(),
            "indication": "chronic_migraine",
            "product": "botox",
            "location": str(loc.public_id),
        },
    )
    v = Visit.objects.get(patient=world.patient)
    assert resp.status_code == 302 and resp["Location"].endswith(f"/visits/{v.public_id}/screening/")
    bad = nurse.post(f"/visits/{v.public_id}/screening/", {"version": v.version})
    text = bad.content.decode()
    assert bad.status_code == 400 and "Nothing was saved." in text and "13 questions not answered" in text
    assert "Not answered: Anticholinergic medicines. Ask the patient and answer yes or no." in text
    v.refresh_from_db()
    assert v.screening == {} and v.screened_at is None  # nothing stored
    answers = {k: "no" for k in SCREENING_KEYS}
    assert (
        nurse.post(f"/visits/{v.public_id}/screening/", {"version": v.version, **answers}).status_code == 302
    )
    v.refresh_from_db()
    consent = {
        "version": v.version,
        "discussed_benefits": "on",
        "discussed_common_effects": "on",
        "discussed_serious_effects": "on",
        "consented_by": "patient",
        "consenter_name": "Ada Lovelace",
        "consented_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    bad = nurse.post(f"/visits/{v.public_id}/consent/", consent)
    assert bad.status_code == 400 and "not ticked: Alternatives discussed" in bad.content.decode()
    assert (
        nurse.post(f"/visits/{v.public_id}/consent/", {**consent, "discussed_alternatives": "on"}).status_code
        == 302
    )

    doc = _client(world.user("injector"))
    v.refresh_from_db()
    resp = doc.post(
        f"/visits/{v.public_id}/chart/", {"version": v.version, "action": "protocol", "protocol": "preempt"}
    )
    assert resp.status_code == 302
    v.refresh_from_db()
    assert v.sites.count() == 31
    resp = doc.post(
        f"/visits/{v.public_id}/chart/",
        _chart_form(v, action="add", add_muscle="trapezius", add_side="right"),
    )
    v.refresh_from_db()
    assert resp.status_code == 302 and v.sites.filter(follow_the_pain=True).count() == 1
    bad = doc.post(
        f"/visits/{v.public_id}/chart/", _chart_form(v, action="add", add_muscle="frontalis", add_side="left")
    )
    assert (
        bad.status_code == 400
        and "Follow-the-pain sites go into temporalis, occipitalis, trapezius" in bad.content.decode()
    )
    checked = doc.post(
        f"/visits/{v.public_id}/chart/", {**_chart_form(v, action="check"), "units:procerus_midline_1": "0"}
    )
    assert checked.status_code == 400 and "units must be more than 0 U" in checked.content.decode()
    resp = doc.post(f"/visits/{v.public_id}/chart/", _chart_form(v, remove="trapezius_right_ftp_1"))
    v.refresh_from_db()
    assert resp.status_code == 302 and v.sites.count() == 31

    [vial] = vials(world.clinic, 1, size=200)
    base = {
        "version": v.version,
        "vial": str(vial.public_id),
        "diluent_ml": "4",
        "reconstituted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "units_administered": "155",
    }
    bad = nurse.post(f"/visits/{v.public_id}/vials/", {**base, "units_discarded": "50"})
    assert bad.status_code == 400 and "= 205 U is more than the 200 U in this vial" in bad.content.decode()
    assert nurse.post(f"/visits/{v.public_id}/vials/", {**base, "units_discarded": "45"}).status_code == 302
    v.refresh_from_db()
    page = nurse.get(f"/visits/{v.public_id}/vials/").content.decode()
    assert "C1234A" in page and "<strong>5</strong>" in page  # 200 U in 4 mL = 5 U per 0.1 mL

    review = nurse.get(f"/visits/{v.public_id}/sign/").content.decode()
    assert "A clinician signs the note" in review and "J0585-JW" in review
    assert nurse.post(f"/visits/{v.public_id}/sign/", {"version": v.version}).status_code == 403
    resp = doc.post(f"/visits/{v.public_id}/sign/", {"version": v.version, "notes": "Well tolerated."})
    assert resp.status_code == 302
    v.refresh_from_db()
    assert v.status == VisitStatus.SIGNED and v.notes == "Well tolerated."
    note = doc.get(f"/visits/{v.public_id}/").content.decode()
    assert "Signed note" in note and "Well tolerated." in note


def test_injector_sees_hard_stop_needs_a_prescriber(world: Any, client_as: Any) -> None:
    from toxinclinic.visits.models import OutsideInjection
    from toxinclinic.visits.tests.helpers import prepared_visit

    OutsideInjection.objects.create(
        patient=world.patient,
        given_on=timezone.localdate() - dt.timedelta(days=20),
        product="botox",
        units=20,
        indication="cosmetic",
        where="Spa",
        recorded_by=world.user("nurse"),
    )
    v = prepared_visit(world)
    page = client_as("injector").get(f"/visits/{v.public_id}/sign/").content.decode()
    assert "20 days after the Botox session" in page and "ask a prescriber to review and sign" in page
    resp = client_as("injector").post(f"/visits/{v.public_id}/sign/", {"version": v.version})
    assert resp.status_code == 400 and "only a prescriber may override it" in resp.content.decode()
    page = client_as("clinician").get(f"/visits/{v.public_id}/sign/").content.decode()
    assert 'name="override_min_interval"' in page
    resp = client_as("clinician").post(
        f"/visits/{v.public_id}/sign/",
        {
            "version": v.version,
            "override_min_interval": "Cosmetic glabellar dose only",
            "acknowledge_warnings": "on",
        },
    )
    assert resp.status_code == 302


def test_vial_step_prefills_from_the_template_and_the_first_expiring_vial(world: Any, client_as: Any) -> None:
    """PREEMPT wants 5 U per 0.1 mL: a 200 U vial is offered with 4 mL of diluent (engine arithmetic),
    and the units still to record (155 U charted) are split into administered and discarded."""
    from toxinclinic.visits import services as svc

    v = draft_visit(world, location=location(world.clinic))
    v = svc.apply_protocol(v, v.version, actor=world.user("clinician"), key="preempt")
    vials(world.clinic, 1, size=200)
    page = client_as("nurse").get(f"/visits/{v.public_id}/vials/").content.decode()
    assert 'name="diluent_ml" value="4"' in page
    assert 'name="units_administered" value="155.00"' in page
    assert 'name="units_discarded" value="45.00"' in page

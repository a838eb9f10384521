"""Server-side refusals, each with a specific message, through the JSON API: session and per-muscle limits,
the 3-month cumulative dose, the minimum interval, vials (expired, beyond use, another clinic's, more
units than the vial held), a product not approved for the indication, and editing a signed note."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from toxinclinic.audit.models import AuditEvent
from toxinclinic.visits import services as svc
from toxinclinic.visits.models import DoseOverride, OutsideInjection
from toxinclinic.visits.tests.helpers import draft_visit, prepared_visit, vials

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _sign(client_as: Any, role: str, visit: Any, **body: Any) -> Any:
    visit.refresh_from_db()
    return _post(
        client_as(role), f"/api/v1/visits/{visit.public_id}/signature", {"version": visit.version, **body}
    )


def _messages(resp: Any) -> str:
    return " ".join(d["msg"] for d in resp.json()["detail"])


def _bump(units: Decimal, n: int = 1) -> Any:
    """Raise the first ``n`` temporalis sites to ``units``."""

    def modify(sites: list[svc.DraftSite]) -> list[svc.DraftSite]:
        out, left = [], n
        for s in sites:
            if s.muscle == "temporalis" and left:
                out.append(replace(s, units=units))
                left -= 1
            else:
                out.append(s)
        return out

    return modify


def test_session_limit_is_a_hard_stop_only_a_prescriber_overrides(world: Any, client_as: Any) -> None:
    v = prepared_visit(world, modify=_bump(Decimal(25)))  # 155 + 20 = 175 U
    resp = _sign(client_as, "clinician", v, acknowledge_warnings=True)
    assert resp.status_code == 422
    assert (
        "Session maximum: The session total, 175 Botox U, is above this protocol's maximum of 155 Botox U"
        in _messages(resp)
    )
    # An injector who is not a prescriber may not override.
    resp = _sign(client_as, "injector", v, acknowledge_warnings=True, overrides={"session_max": "pain"})
    assert resp.status_code == 422 and "Only a prescriber may override" in _messages(resp)
    # A blank reason is no override.
    resp = _sign(client_as, "clinician", v, acknowledge_warnings=True, overrides={"session_max": "  "})
    assert resp.status_code == 422
    resp = _sign(
        client_as,
        "clinician",
        v,
        acknowledge_warnings=True,
        overrides={"session_max": "Severe temporal pain; discussed risks"},
    )
    assert resp.status_code == 201, resp.content
    o = DoseOverride.objects.get(visit=v)
    assert o.rule == "session_max" and o.prescriber == world.user("clinician")
    assert AuditEvent.objects.filter(action="dose.stop_overridden", object_id=str(v.public_id)).exists()
    assert resp.json()["content"]["overrides"][0]["reason"] == "Severe temporal pain; discussed risks"


def test_per_muscle_limit_needs_acknowledgement(world: Any, client_as: Any) -> None:
    def scm_heavy(sites: list[svc.DraftSite]) -> list[svc.DraftSite]:
        return [replace(s, units=Decimal(35)) if s.muscle == "sternocleidomastoid" else s for s in sites]

    v = prepared_visit(
        world, protocol="cd_anterocollis", indication="cervical_dystonia", n_vials=2, modify=scm_heavy
    )
    resp = _sign(client_as, "clinician", v)
    assert resp.status_code == 422
    text = _messages(resp)
    assert "The sternocleidomastoid total, 140 Botox U, is above 100 Botox U" in text
    assert "acknowledge" in text
    assert _sign(client_as, "clinician", v, acknowledge_warnings=True).status_code == 201


def test_cumulative_three_months(world: Any, client_as: Any) -> None:
    today = timezone.localdate()
    OutsideInjection.objects.create(
        patient=world.patient,
        given_on=today - dt.timedelta(days=86),  # outside the 84-day interval, inside the 90-day window
        product="botox",
        units=Decimal(300),
        indication="cosmetic",
        where="Elsewhere Aesthetics",
        recorded_by=world.user("nurse"),
    )
    v = prepared_visit(world)
    resp = _sign(client_as, "clinician", v, acknowledge_warnings=True)
    assert resp.status_code == 422
    assert "Units in 3 months: Botox 455 U in the 90 days" in _messages(
        resp
    ) and "the limit is 400 U" in _messages(resp)


def test_minimum_interval_without_override(world: Any, client_as: Any) -> None:
    OutsideInjection.objects.create(
        patient=world.patient,
        given_on=timezone.localdate() - dt.timedelta(days=30),
        product="xeomin",
        units=Decimal(20),
        indication="cosmetic",
        where="High Street Aesthetics",
        recorded_by=world.user("nurse"),
    )
    v = prepared_visit(world)
    resp = _sign(client_as, "clinician", v, acknowledge_warnings=True)
    assert resp.status_code == 422
    assert "30 days after the Xeomin session" in _messages(resp)
    assert "the minimum interval is 84 days" in _messages(resp)
    resp = _sign(
        client_as,
        "clinician",
        v,
        acknowledge_warnings=True,
        overrides={"min_interval": "Cosmetic dose was tiny"},
    )
    assert resp.status_code == 201


def _vial_body(visit: Any, vial: Any, **kw: Any) -> dict[str, Any]:
    visit.refresh_from_db()
    return {
        "version": visit.version,
        "vial": str(vial.public_id),
        "diluent_ml": 2,
        "reconstituted_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(),
        "units_administered": 100,
        "units_discarded": 0,
        **kw,
    }


def test_vial_refusals(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    v = draft_visit(world)
    url = f"/api/v1/visits/{v.public_id}/vials"
    expired = vials(world.clinic, 1, lot_number="OLD1", expiry=timezone.localdate() - dt.timedelta(days=1))[0]
    resp = _post(c, url, _vial_body(v, expired))
    assert resp.status_code == 422 and "Lot OLD1 expired on" in _messages(resp)

    good = vials(world.clinic, 1)[0]
    late = (timezone.now() - dt.timedelta(hours=25)).isoformat()
    resp = _post(c, url, _vial_body(v, good, reconstituted_at=late))
    assert resp.status_code == 422 and "Beyond use" in _messages(resp) and "within 24 h" in _messages(resp)

    other = vials(world.other_clinic, 1, lot_number="B-LOT")[0]
    resp = _post(c, url, _vial_body(v, other))
    assert resp.status_code == 422 and "No such vial in this clinic's stock" in _messages(resp)

    resp = _post(c, url, _vial_body(v, good, units_administered=90, units_discarded=20))
    assert resp.status_code == 422
    assert "Administered 90 U + discarded 20 U = 110 U is more than the 100 U in this vial" in _messages(resp)
    v.refresh_from_db()
    assert not v.vial_uses.exists()
    assert _post(c, url, _vial_body(v, good)).status_code == 201


def test_product_not_approved_needs_prescriber_acknowledgement(world: Any, client_as: Any) -> None:
    v = prepared_visit(world, product="dysport", vial_size=300, n_vials=1)
    resp = _sign(client_as, "clinician", v, acknowledge_warnings=True)
    assert resp.status_code == 422
    assert "Dysport is not approved for chronic migraine (approved: Botox)" in _messages(resp)
    resp = _sign(
        client_as,
        "clinician",
        v,
        acknowledge_warnings=True,
        overrides={"product_indication": "Botox unavailable; patient informed, off-label use agreed"},
    )
    assert resp.status_code == 201


def test_editing_a_signed_note_is_refused(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    assert _sign(client_as, "clinician", v, acknowledge_warnings=True).status_code == 201
    v.refresh_from_db()
    body = {
        "version": v.version,
        "sites": [{"site_id": "x_1", "muscle": "procerus", "side": "midline", "units": 5}],
    }
    resp = _post(client_as("clinician"), f"/api/v1/visits/{v.public_id}/injections", body, method="put")
    assert resp.status_code == 409
    assert "cannot be edited" in resp.json()["detail"] and "amendment" in resp.json()["detail"]
    # The HTML chart redirects to the signed note; nothing changed.
    assert client_as("clinician").get(f"/visits/{v.public_id}/chart/").status_code == 302
    assert v.sites.count() == 31


def test_date_times_without_an_offset_are_clinic_local_time(world: Any, client_as: Any) -> None:
    """An API client that leaves out the UTC offset gets the HTML form's reading (local time), not a 500."""
    c = client_as("nurse")
    v = draft_visit(world)
    local = (timezone.localtime() - dt.timedelta(minutes=20)).replace(tzinfo=None, second=0, microsecond=0)
    consent = {
        "version": v.version,
        "discussed_benefits": True,
        "discussed_common_effects": True,
        "discussed_serious_effects": True,
        "discussed_alternatives": True,
        "consenter_name": "Ada Lovelace",
        "consented_at": local.isoformat(),
    }
    resp = _post(c, f"/api/v1/visits/{v.public_id}/consent", consent, method="put")
    assert resp.status_code == 200, resp.content
    assert timezone.localtime(v.consent.consented_at).replace(tzinfo=None) == local
    future = _post(
        c,
        f"/api/v1/visits/{v.public_id}/consent",
        {
            **consent,
            "version": resp.json()["version"],
            "consented_at": (local + dt.timedelta(hours=2)).isoformat(),
        },
        method="put",
    )
    assert future.status_code == 422 and "Consent time cannot be in the future" in _messages(future)
    good = vials(world.clinic, 1)[0]
    v.refresh_from_db()
    body = _vial_body(v, good, reconstituted_at=local.isoformat())
    assert _post(c, f"/api/v1/visits/{v.public_id}/vials", body).status_code == 201
    good.refresh_from_db()
    assert timezone.localtime(good.reconstituted_at).replace(tzinfo=None) == local
    stale = vials(world.clinic, 1, lot_number="C5555A")[0]
    late = (local - dt.timedelta(hours=25)).isoformat()
    v.refresh_from_db()
    resp = _post(c, f"/api/v1/visits/{v.public_id}/vials", _vial_body(v, stale, reconstituted_at=late))
    assert resp.status_code == 422 and "Beyond use" in _messages(resp)


def test_an_unknown_override_field_is_a_form_error(world: Any, client_as: Any) -> None:
    v = prepared_visit(world)
    resp = client_as("clinician").post(
        f"/visits/{v.public_id}/sign/", {"version": v.version, "override_bogus": "because"}
    )
    assert resp.status_code == 400 and "&#x27;bogus&#x27; is not a dose rule" in resp.content.decode()
    v.refresh_from_db()
    assert not v.is_signed


def test_dates_before_the_patients_birth_are_refused(world: Any, client_as: Any) -> None:
    c = client_as("nurse")
    resp = _post(
        c,
        "/api/v1/visits",
        {
            "patient": str(world.patient.public_id),
            "visit_date": "0001-01-01",
            "indication": "chronic_migraine",
            "product": "botox",
        },
    )
    assert resp.status_code == 422
    assert "01 Jan 0001 is before the patient's date of birth (14 Mar 1985)" in _messages(resp)
    v = prepared_visit(world)
    resp = _post(
        c, f"/api/v1/visits/{v.public_id}", {"version": v.version, "visit_date": "1984-12-31"}, "patch"
    )
    assert resp.status_code == 422 and "before the patient's date of birth" in _messages(resp)
    url = f"/api/v1/visits/patients/{world.patient.public_id}/outside-injections"
    body = {
        "given_on": "1900-05-01",
        "product": "botox",
        "units": 20,
        "indication": "cosmetic",
        "where": "Spa",
    }
    resp = _post(c, url, body)
    assert resp.status_code == 422 and "before the patient's date of birth" in _messages(resp)
    assert not OutsideInjection.objects.exists()


def test_no_override_is_offered_that_signing_would_refuse(world: Any, client_as: Any) -> None:
    """155 U charted, one 100 U vial recorded: the vial balance is a recording error, never overridable."""
    v = prepared_visit(world, n_vials=1, vial_size=100)
    page = client_as("clinician").get(f"/visits/{v.public_id}/sign/").content.decode()
    assert (
        "Units and vials do not balance:</strong> 155 U administered, but the vials opened hold only 100 U"
        in page
    )
    assert "This cannot be overridden: correct the vials or the sites." in page
    assert 'name="override_vial_balance"' not in page and "vial_balance" not in page
    resp = _sign(client_as, "clinician", v, acknowledge_warnings=True, overrides={"vial_balance": "trust me"})
    assert resp.status_code == 422
    assert "Units and vials do not balance cannot be overridden" in _messages(resp)
    v.refresh_from_db()
    assert not v.is_signed

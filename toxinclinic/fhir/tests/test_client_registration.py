"""Registering a backend client: only a public key set, only SMART scopes, a patient of the same clinic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from joserfc.jwk import ECKey

from toxinclinic.fhir.admin import BackendClientForm


def form(world: Any, **over: Any) -> BackendClientForm:
    key = ECKey.generate_key("P-384")
    data = {
        "clinic": world.clinic.pk,
        "name": "EHR",
        "jwks": json.dumps({"keys": [key.as_dict(private=False)]}),
        "scopes": "system/*.read",
        "active": True,
        **over,
    }
    return BackendClientForm(data=data)


@pytest.mark.django_db
def test_a_public_key_set_registers(world: Any) -> None:
    f = form(world)
    assert f.is_valid(), f.errors
    assert f.save().client_id


@pytest.mark.django_db
def test_private_keys_bad_sets_bad_scopes_and_other_clinics_patients_are_refused(world: Any) -> None:
    private = ECKey.generate_key("P-384").as_dict(private=True)
    assert "jwks" in form(world, jwks=json.dumps({"keys": [private]})).errors
    assert "jwks" in form(world, jwks='{"keys": [{"kty": "nope"}]}').errors
    assert "scopes" in form(world, scopes="launch openid").errors
    assert "patient" in form(world, patient=world.other_patient.pk).errors

"""The Django admin is for clinic admins, scoped to their clinic, and cannot mint superusers."""

from __future__ import annotations

from typing import Any

from toxinclinic.accounts.models import User


def test_clinic_admin_sees_only_own_clinic_users(world: Any, client_as: Any) -> None:
    page = client_as("admin").get("/admin/accounts/user/").content.decode()
    assert "other_clinician" not in page and "nurse" in page
    other = world.user("other_clinician")
    assert client_as("admin").get(f"/admin/accounts/user/{other.pk}/change/").status_code == 302


def test_clinic_admin_cannot_escalate_or_move_a_user(world: Any, client_as: Any) -> None:
    nurse = world.user("nurse")
    r = client_as("admin").post(
        f"/admin/accounts/user/{nurse.pk}/change/",
        {
            "username": "nurse",
            "first_name": "Nurse",
            "last_name": "Tester",
            "email": "",
            "is_active": "on",
            "role": "nurse",
            "credentials": "RN",
            # Not in the clinic admin's form: ignored.
            "is_superuser": "on",
            "is_staff": "on",
            "clinic": str(world.other_clinic.pk),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    nurse = User.objects.get(pk=nurse.pk)
    assert nurse.credentials == "RN"
    assert not nurse.is_superuser and not nurse.is_staff
    assert nurse.clinic_id == world.clinic.pk


def test_clinic_admin_adds_user_into_own_clinic(world: Any, client_as: Any) -> None:
    r = client_as("admin").post(
        "/admin/accounts/user/add/",
        {
            "username": "newnurse",
            "password1": "a sturdy passphrase",
            "password2": "a sturdy passphrase",
            "first_name": "New",
            "last_name": "Nurse",
            "email": "",
            "role": "nurse",
            "credentials": "RN",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    u = User.objects.get(username="newnurse")
    assert u.clinic_id == world.clinic.pk and u.role == "nurse" and not u.is_superuser


def test_staff_who_are_not_admins_cannot_open_the_admin(world: Any, client_as: Any) -> None:
    for role in ("nurse", "clinician", "coordinator", "patient"):
        assert client_as(role).get("/admin/").status_code == 302


def test_clinic_admin_adds_locations_only_to_own_clinic(world: Any, client_as: Any) -> None:
    from toxinclinic.accounts.models import Location

    admin = client_as("admin")
    form = admin.get("/admin/accounts/location/add/").content.decode()
    assert world.other_clinic.name not in form
    r = admin.post("/admin/accounts/location/add/", {"clinic": world.other_clinic.pk, "name": "Annex"})
    assert r.status_code == 200 and not Location.objects.filter(name="Annex").exists()
    r = admin.post("/admin/accounts/location/add/", {"clinic": world.clinic.pk, "name": "Annex"})
    assert r.status_code == 302 and Location.objects.get(name="Annex").clinic_id == world.clinic.pk

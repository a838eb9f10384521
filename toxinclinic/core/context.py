from __future__ import annotations

from django.http import HttpRequest

from toxinclinic.accounts import permissions as perms
from toxinclinic.core.plugins import nav_items


def navigation(request: HttpRequest) -> dict[str, object]:
    """Which menu entries the signed-in user may use; the same ``can_…`` checks the views apply."""
    user = getattr(request, "user", None)
    return {
        "nav": {
            "patients": perms.can_list_patients(user),
            "audit": perms.can_view_audit(user),
            "users": perms.can_manage_users(user),
            "admin_site": perms.can_use_admin_site(user),
            "apps": nav_items(request) if getattr(user, "is_authenticated", False) else [],
        }
    }

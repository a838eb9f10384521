from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from toxinclinic.accounts.models import ApiToken, Clinic, Location, User
from toxinclinic.accounts.permissions import can_use_admin_site


def _admin_has_permission(request: HttpRequest) -> bool:
    # Clinic admins, not Django's is_staff flag, decide who sees the admin site.
    return can_use_admin_site(request.user)


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.site_header = "Toxin Clinic administration"


class ClinicScopedAdmin(admin.ModelAdmin):
    """A clinic admin sees and edits only their own clinic's rows; a superuser sees all."""

    clinic_field = "clinic"

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.clinic_field}_id": request.user.clinic_id})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The choices are the clinic admin's own clinic only: never list (or accept) another clinic.
        if db_field.related_model is Clinic and not request.user.is_superuser:
            kwargs["queryset"] = Clinic.objects.filter(pk=request.user.clinic_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin_site(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin_site(request.user)

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission
    has_delete_permission = has_view_permission


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    clinic_field = "id"
    list_display = ["name", "phone"]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.clinic_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(Location)
class LocationAdmin(ClinicScopedAdmin):
    list_display = ["name", "clinic"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, ClinicScopedAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_prescriber", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Clinic", {"fields": ("clinic", "role", "is_prescriber", "credentials")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("Clinic", {"fields": ("first_name", "last_name", "email", "role", "is_prescriber", "credentials")}),
    )
    # What a clinic admin may set; platform flags and the clinic itself stay out of their reach.
    clinic_admin_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "is_active")}),
        ("Clinic", {"fields": ("role", "is_prescriber", "credentials")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not request.user.is_superuser:
            return self.clinic_admin_fieldsets
        return super().get_fieldsets(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            # A clinic admin only ever creates or edits users of their own clinic, never superusers.
            obj.clinic_id = request.user.clinic_id
            obj.is_superuser = False
            obj.is_staff = False
        super().save_model(request, obj, form, change)
        from toxinclinic.audit.services import log_action

        log_action(
            "user.changed" if change else "user.created",
            actor=request.user,
            obj=obj,
            clinic_id=obj.clinic_id,
            data={"role": obj.role, "active": obj.is_active},
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ClinicScopedAdmin):
    """Clinic admins see their clinic's tokens and may revoke them (audited); nobody issues a token here.

    A token acts as its owner, so only the owner issues it, from their own account (accounts.tokens).
    """

    clinic_field = "user__clinic"
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "second_factor",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("user")
        return qs if request.user.is_superuser else qs.filter(user__clinic_id=request.user.clinic_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, not deleted: the row says when and which token

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return can_use_admin_site(request.user)

    @admin.action(description="Revoke the selected API tokens", permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: Any) -> None:
        from toxinclinic.accounts.tokens import revoke

        done = sum(revoke(t, request.user, reason="revoked by a clinic admin") for t in queryset)
        self.message_user(request, f"Revoked {done} API token{'s' if done != 1 else ''}.")

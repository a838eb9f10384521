"""The clinic admin names the on-call list, the opening hours, closed days and the escalation limit
(Django admin, scoped to the admin's own clinic like the rest of the admin site)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toxinclinic.accounts.admin import ClinicScopedAdmin
from toxinclinic.accounts.models import STAFF_ROLES, User
from toxinclinic.audit.services import log_action
from toxinclinic.messaging.models import ClinicMessagingSettings, ClosedDay, OnCallContact, OpeningHours


class _OwnClinicAdmin(ClinicScopedAdmin):
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is User:
            qs = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
            if not request.user.is_superuser:
                qs = qs.filter(clinic_id=request.user.clinic_id)
            kwargs["queryset"] = qs.order_by("last_name", "first_name")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.related_model is User and field is not None:
            field.label_from_instance = lambda u: f"{u.display_name} ({u.get_role_display().lower()})"
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.clinic_id = request.user.clinic_id
        super().save_model(request, obj, form, change)
        name = obj._meta.model_name
        log_action(f"{name}.changed" if change else f"{name}.created", actor=request.user, obj=obj,
                   clinic_id=obj.clinic_id)  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        log_action(f"{obj._meta.model_name}.deleted", actor=request.user, obj=obj, clinic_id=obj.clinic_id)
        super().delete_model(request, obj)


@admin.register(OnCallContact)
class OnCallContactAdmin(_OwnClinicAdmin):
    list_display = ["position", "user", "channel", "address", "active", "clinic"]
    list_display_links = ["user"]
    ordering = ["clinic", "position"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(_OwnClinicAdmin):
    list_display = ["weekday", "opens", "closes", "clinic"]
    ordering = ["clinic", "weekday", "opens"]


@admin.register(ClosedDay)
class ClosedDayAdmin(_OwnClinicAdmin):
    list_display = ["date", "reason", "clinic"]


@admin.register(ClinicMessagingSettings)
class ClinicMessagingSettingsAdmin(_OwnClinicAdmin):
    list_display = ["clinic", "escalation_minutes", "quiet_from", "quiet_until"]

"""The clinic admin sets how many diary-free days bring a reminder (scoped to their own clinic)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toxinclinic.accounts.admin import ClinicScopedAdmin
from toxinclinic.audit.services import log_action
from toxinclinic.reminders.models import ReminderSettings


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ClinicScopedAdmin):
    list_display = ["clinic", "diary_gap_days"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.clinic_id = request.user.clinic_id
        super().save_model(request, obj, form, change)
        action = "reminder_settings.changed" if change else "reminder_settings.created"
        log_action(action, actor=request.user, obj=obj, clinic_id=obj.clinic_id)

"""Read-only views of the leases (who holds a task, how often it failed, what to do) and the done effects."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from toxinclinic.tasklease.models import Effect, TaskLease


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(TaskLease)
class TaskLeaseAdmin(ReadOnly):
    list_display = ("task", "holder", "expires_at", "failures", "last_error", "advice", "updated_at")
    list_filter = ("failures",)


@admin.register(Effect)
class EffectAdmin(ReadOnly):
    list_display = ("key", "attempts", "first_attempt_at", "done_at", "result")
    search_fields = ("key",)

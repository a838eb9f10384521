"""Per-clinic reminder settings (one row per clinic; the defaults apply without one)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from toxinclinic.accounts.models import Clinic


class ReminderSettings(models.Model):
    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="reminder_settings")
    diary_gap_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Days without a diary entry before the patient is reminded once (0: no diary reminders).",
    )

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"Reminder settings of {self.clinic}"

    def clean(self) -> None:
        if self.diary_gap_days > 60:
            raise ValidationError(
                {"diary_gap_days": "Choose 60 days or fewer (0 turns diary reminders off)."}
            )

"""The headache diary: one row per patient per day, its engine classification stored on write, and
monthly counts per patient-month so clinic-wide screens read O(patients), not O(days)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.core.models import ClinicRecord
from toxinclinic.patients.models import Patient


class Severity(models.TextChoices):
    NONE = "none", "No headache"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class DiaryEntry(ClinicRecord):
    """One calendar day (00:00–23:59 local) of one patient's diary.

    Inputs mirror ``clinical.diary.DiaryDay``; ``duration_hours`` is the longest continuous headache in
    hours (0–24). ``acute_medications`` holds the patient's own chart medicines taken that day as
    ``[{"id": medication public id, "name", "drug_class"}]``; ``medication_classes`` the distinct classes.
    The ``*_day`` flags are the engine's classification, computed on every write.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary_entries")
    date = models.DateField()
    headache = models.BooleanField(default=False)
    duration_hours = models.FloatField(default=0)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NONE)
    unilateral = models.BooleanField(default=False)
    pulsating = models.BooleanField(default=False)
    aggravated_by_activity = models.BooleanField(default=False)
    nausea = models.BooleanField(default=False)
    vomiting = models.BooleanField(default=False)
    photophobia = models.BooleanField(default=False)
    phonophobia = models.BooleanField(default=False)
    aura = models.BooleanField(default=False)
    acute_medications = models.JSONField(default=list, blank=True)
    medication_classes = models.JSONField(default=list, blank=True)
    relieved_by_acute = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    # Engine classification (clinical.diary.classify_day), stored on write.
    headache_day = models.BooleanField(default=False)
    migraine_day = models.BooleanField(default=False)
    moderate_severe_day = models.BooleanField(default=False)
    acute_medication_day = models.BooleanField(default=False)
    triptan_or_ergot_day = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_diary_row_per_patient_day")
        ]
        verbose_name_plural = "diary entries"

    def __str__(self) -> str:
        return f"diary {self.date}"

    @property
    def day_class(self) -> str:
        """migraine | headache | mild (headache that is not a headache day) | none — for colouring."""
        if self.migraine_day:
            return "migraine"
        if self.headache_day:
            return "headache"
        if self.headache:
            return "short"
        return "none"


class DiaryMonth(models.Model):
    """One patient-month's counts from ``clinical.diary.summarize`` over ``[period_start, period_end]``.

    The period is the calendar month clipped to the patient's enrolment date. Stored on every diary write.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary_months")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="First day of the calendar month")
    period_start = models.DateField()
    period_end = models.DateField()
    days_in_period = models.PositiveSmallIntegerField()
    days_recorded = models.PositiveSmallIntegerField()
    min_days_required = models.PositiveSmallIntegerField()
    sufficient = models.BooleanField()
    headache_days = models.PositiveSmallIntegerField()
    migraine_days = models.PositiveSmallIntegerField()
    moderate_severe_days = models.PositiveSmallIntegerField()
    acute_medication_days = models.PositiveSmallIntegerField()
    triptan_or_ergot_days = models.PositiveSmallIntegerField()
    # Kept so the month's summary (and the medication-overuse verdict) can be rebuilt without its days.
    simple_or_nsaid_days = models.PositiveSmallIntegerField(default=0)
    multiple_class_days = models.PositiveSmallIntegerField(default=0)
    headache_threshold_hours = models.FloatField(
        null=True,
        help_text="The headache-day threshold (h) these counts were made with; empty or another value than "
        "the current setting means: recount from the days before adjusting them",
    )
    headache_days_per_30 = models.FloatField(null=True)
    migraine_days_per_30 = models.FloatField(null=True)
    medication_days_by_class = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "month"], name="one_diary_month_per_patient")
        ]
        indexes = [models.Index(fields=["clinic", "month"])]

    def __str__(self) -> str:
        return f"diary month {self.month:%Y-%m}"


class DiaryStatus(models.Model):
    """Per-patient diary facts for clinic-wide screens: data version (chart cache key) and the stored
    medication-overuse verdict (``clinical.diary.medication_overuse``) for the 3 months ending ``moh_end``,
    written only through ``diary.overuse.store`` (a save or the background refresh) and read by every
    screen and the API."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="diary_status")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    data_version = models.PositiveIntegerField(default=0)
    last_entry_on = models.DateField(null=True, blank=True)
    moh_status = models.CharField(max_length=20, blank=True)
    moh_met = models.BooleanField(default=False)
    moh_end = models.DateField(null=True, blank=True)
    moh_reasons = models.JSONField(default=list, blank=True)
    moh_periods = models.JSONField(
        default=list,
        blank=True,
        help_text="The stored verdict's periods: [{label, start, end, status, reasons}]",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "moh_met", "moh_end"])]
        verbose_name_plural = "diary statuses"

    def __str__(self) -> str:
        return f"diary status v{self.data_version}"

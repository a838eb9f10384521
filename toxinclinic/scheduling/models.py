"""Re-treatment recall: one row per patient and indication, its due date precomputed on signing.

``due_on`` is indexed, so the coordinator's recall list is a range scan over patients, not a walk over
visits. The window comes from the clinical engine (``recall.recall_window``: 12 weeks by default).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from toxinclinic.accounts.locale import format_date
from toxinclinic.accounts.models import Clinic, Location
from toxinclinic.messaging.models import WEEKDAYS
from toxinclinic.patients.models import Patient


class Recall(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="recalls")
    indication = models.CharField(max_length=30)
    product = models.CharField(max_length=20)
    last_session_on = models.DateField()
    opens_on = models.DateField()
    due_on = models.DateField(db_index=True)
    last_visit_id = models.UUIDField(help_text="Public id of the signed visit that set this recall.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "indication"], name="one_recall_per_patient_indication"
            )
        ]
        indexes = [models.Index(fields=["clinic", "due_on"])]
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"recall due {format_date(self.due_on)}"


# --------------------------------------------------------------------------------------- appointments


class AppointmentKind(models.TextChoices):
    NEW_PATIENT = "new_patient", "New-patient evaluation"
    INJECTION = "injection", "Injection visit"
    FOLLOW_UP = "follow_up", "Follow-up"
    PHONE = "phone", "Phone check-in"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Did not attend"
    ATTENDED = "attended", "Attended"


class Appointment(models.Model):
    """One booked time with a clinician. A reschedule moves this row (same public id, so the same
    calendar event, ``sequence`` + 1); cancelling keeps it with its reason as history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="appointments")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    status_reason = models.CharField(max_length=300, blank=True, help_text="Why cancelled or moved.")
    #: Inside the minimum interval, booked although the engine warned (who accepted it is in the audit).
    early_accepted = models.BooleanField(default=False)
    #: iCalendar SEQUENCE: raised on every change so calendars replace the event.
    sequence = models.PositiveIntegerField(default=0)
    visit_id = models.UUIDField(
        null=True, blank=True, help_text="Public id of the visit draft opened for it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["clinic", "patient", "starts_at"]),
            models.Index(fields=["clinician", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appt_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_date(self.starts_at.date())}"

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def reminder_topic(self) -> str:
        return f"appt:{self.public_id}"


class SchedulingSettings(models.Model):
    """A clinic's scheduling policy. Opening hours are the messaging room's (one fact, one place)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="scheduling_settings")
    reminder_days = models.CharField(
        max_length=40, default="7,1", help_text="Days before the appointment a reminder goes, e.g. 7,1."
    )
    slot_minutes = models.PositiveSmallIntegerField(default=15, help_text="Grid of start times, in minutes.")
    refuse_inside_interval = models.BooleanField(
        default=False,
        help_text="Payer rule: refuse (not only warn) an injection before the re-treatment window opens.",
    )

    class Meta:
        verbose_name_plural = "scheduling settings"

    def __str__(self) -> str:
        return f"scheduling settings of {self.clinic}"

    def reminder_day_list(self) -> list[int]:
        out = {int(p) for p in self.reminder_days.replace(" ", "").split(",") if p.isdigit()}
        return sorted((d for d in out if 0 < d <= 60), reverse=True)


class Availability(models.Model):
    """One weekly period a clinician sees patients (clinic local time)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["clinician", "weekday", "starts"]
        verbose_name_plural = "availability"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError({"ends": "The end must be after the start on the same day."})


class AvailabilityException(models.Model):
    """Days a clinician is away (leave, holiday, training), first to last day inclusive."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=120, blank=True, help_text="e.g. Leave, Holiday")

    class Meta:
        ordering = ["clinician", "first_day"]

    def __str__(self) -> str:
        return f"away {format_date(self.first_day)} to {format_date(self.last_day)}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day must be on or after the first day."})


class CalendarToken(models.Model):
    """A secret in an iCalendar feed URL, for one clinician or one patient; only its digest is kept."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(clinician__isnull=False, patient__isnull=True)
                | models.Q(clinician__isnull=True, patient__isnull=False),
                name="calendar_token_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed {self.prefix}…"

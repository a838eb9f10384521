"""The coordinator's worklist: one stored row per patient, outreach attempts and assignments.

``WorklistRow`` is derived (written only by ``coordinator.rows.refresh``) so the list is one indexed query
over patients, never a walk over sessions, diary days and appointments. Its sort key ``(tier,
attention_on)`` comes from the engine (``clinical.worklist.sort_key``) and does not change as days pass;
the window state is judged at read time from the stored dates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient


class OutreachOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "Called — no answer"
    MESSAGE_LEFT = "message_left", "Message left"
    REACHED = "reached", "Reached"
    BOOKED = "booked", "Booked"
    DECLINED = "declined", "Declined"
    MOVED_AWAY = "moved_away", "Moved away"
    DECEASED = "deceased", "Deceased"


#: Outcomes that end the follow-up: the patient leaves the active worklist.
CLOSING_OUTCOMES = frozenset({OutreachOutcome.DECLINED, OutreachOutcome.MOVED_AWAY, OutreachOutcome.DECEASED})


class OutreachAttempt(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outreach_attempts")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=14, choices=OutreachOutcome.choices)
    note = models.TextField(blank=True)
    next_contact_on = models.DateField(null=True, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"])]

    def __str__(self) -> str:
        return f"outreach: {self.get_outcome_display()}"


class Assignment(models.Model):
    """Which coordinator works this patient's recall (at most one)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="coordinator_assignment")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "coordinator assignment"


class WorklistRow(models.Model):
    """One patient's worklist facts, stored on write. Units are the last session's product's U."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="worklist_row")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    # Last session (treatment room).
    last_session_on = models.DateField(null=True)
    last_product = models.CharField(max_length=20, blank=True)
    last_units = models.FloatField(null=True, help_text="U of last_product")
    session_count = models.PositiveSmallIntegerField(default=0)
    window_opens_on = models.DateField(null=True)
    overdue_from = models.DateField(null=True)
    # Scheduling.
    booked = models.BooleanField(default=False, help_text="A booked injection ahead or an open visit.")
    next_appointment_at = models.DateTimeField(null=True)
    next_appointment_id = models.UUIDField(null=True)
    # Diary: the 30 days ending diary_as_of, against baseline (per 30 days).
    diary_as_of = models.DateField(null=True)
    diary_recorded_30 = models.PositiveSmallIntegerField(null=True)
    headache_days_30 = models.PositiveSmallIntegerField(null=True)
    baseline_headache_days = models.FloatField(null=True)
    diary_gap = models.BooleanField(default=False)
    # Engine verdict (eligibility before the first session, continuation after).
    verdict_kind = models.CharField(max_length=14, blank=True)
    verdict_status = models.CharField(max_length=20, blank=True)
    verdict_decision = models.CharField(max_length=10, blank=True)
    verdict_summary = models.CharField(max_length=300, blank=True)
    # Coverage.
    auth_status = models.CharField(max_length=12, blank=True)
    auth_payer = models.CharField(max_length=120, blank=True)
    auth_units = models.PositiveIntegerField(null=True, help_text="U per session approved")
    auth_visits = models.PositiveSmallIntegerField(null=True)
    auth_visits_left = models.PositiveSmallIntegerField(null=True)
    auth_expires_on = models.DateField(null=True)
    # Safety.
    urgent_side_effect = models.BooleanField(default=False)
    # Outreach and assignment.
    outreach_outcome = models.CharField(max_length=14, blank=True)
    outreach_at = models.DateTimeField(null=True)
    next_contact_on = models.DateField(null=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed = models.BooleanField(default=False)
    # The engine's sort key.
    tier = models.PositiveSmallIntegerField()
    attention_on = models.DateField(null=True)
    reasons = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "tier", "attention_on", "patient"], name="worklist_urgency"),
            models.Index(fields=["clinic", "window_opens_on"], name="worklist_window"),
            models.Index(fields=["clinic", "assigned_to", "tier", "attention_on"], name="worklist_mine"),
            models.Index(fields=["clinic", "auth_expires_on"], name="worklist_auth"),
        ]

    def __str__(self) -> str:
        return "worklist row"

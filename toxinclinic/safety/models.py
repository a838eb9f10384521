"""Check-ins after a signed session, side-effect reports, the clinic's triage queue and adverse events.

Sessions themselves live in the treatment room (``toxinclinic.treatment``); a check-in is scheduled
when a session is recorded. ``CheckIn.due_on`` is precomputed and indexed: the database is the queue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.clinical import triage
from toxinclinic.core.models import PublicRecord
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.models import TreatmentSession


class CheckInStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ANSWERED = "answered", "Answered"


class CheckIn(PublicRecord):
    """A scheduled "how are you after your injection?" question, due ``day_offset`` days after it."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="check_ins")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="check_ins")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    day_offset = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "day_offset"], name="one_check_in_per_session_day")
        ]
        indexes = [models.Index(fields=["patient", "status", "due_on"])]

    def __str__(self) -> str:
        return f"day-{self.day_offset} check-in due {self.due_on}"


class Level(models.TextChoices):
    URGENT = triage.URGENT, "Urgent"
    ROUTINE = triage.ROUTINE, "Routine"


class Source(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    SPONTANEOUS = "spontaneous", "Reported by the patient"


class SideEffectReport(PublicRecord):
    """Symptoms a patient reported after an injection, with the engine's triage verdict."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="side_effect_reports")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    check_in = models.ForeignKey(CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.SPONTANEOUS)
    symptoms = models.JSONField(default=list, help_text="Engine symptom keys (clinical.triage.SYMPTOMS)")
    other_text = models.TextField(blank=True, help_text="Anything else, in the patient's words.")
    days_since_injection = models.PositiveIntegerField()
    level = models.CharField(max_length=10, choices=Level.choices)
    advice = models.CharField(max_length=20)
    reasons = models.JSONField(default=list)
    reported_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.level} report {self.reported_at:%Y-%m-%d}"

    @property
    def symptom_labels(self) -> list[str]:
        return [triage.SYMPTOMS.get(s, s) for s in self.symptoms]

    @property
    def urgent(self) -> bool:
        return self.level == triage.URGENT


class TriageStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed"


class TriageOutcome(models.TextChoices):
    SENT_TO_EMERGENCY = "sent_to_emergency", "Sent to emergency care"
    SEEN_IN_CLINIC = "seen_in_clinic", "Booked to be seen in clinic"
    ADVICE_GIVEN = "advice_given", "Advice given by phone"
    NO_ACTION = "no_action", "Reviewed, no action needed"
    NOT_REACHED = "not_reached", "Could not reach the patient"


class TriageItem(PublicRecord):
    """One report on the clinic's queue: urgent first, oldest first within a level."""

    report = models.OneToOneField(SideEffectReport, on_delete=models.CASCADE, related_name="triage_item")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="triage_items")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    # 0 sorts first: urgent before routine without relying on the labels' alphabetical order.
    priority = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=14, choices=TriageStatus.choices, default=TriageStatus.OPEN)
    reported_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    called_back_at = models.DateTimeField(null=True, blank=True)
    call_back_notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=TriageOutcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "reported_at", "id"]
        indexes = [models.Index(fields=["clinic", "status", "priority", "reported_at"])]

    def __str__(self) -> str:
        return f"{self.level} triage item ({self.status})"

    @property
    def urgent(self) -> bool:
        return self.level == triage.URGENT


class AESeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AEOutcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered / resolved"
    RECOVERING = "recovering", "Recovering / resolving"
    NOT_RECOVERED = "not_recovered", "Not recovered / not resolved"
    SEQUELAE = "sequelae", "Recovered with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


SERIOUSNESS_CRITERIA: dict[str, str] = {
    "death": "Resulted in death",
    "life_threatening": "Life-threatening",
    "hospitalisation": "Required or prolonged hospitalisation",
    "disability": "Persistent or significant disability",
    "congenital_anomaly": "Congenital anomaly / birth defect",
    "important_medical_event": "Other important medical event",
}


class AdverseEvent(PublicRecord):
    """A clinician's adverse-event record, usually made from a triage item."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="adverse_events")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    triage_item = models.ForeignKey(
        TriageItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="adverse_events"
    )
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="adverse_events"
    )
    term = models.CharField(max_length=200, help_text="e.g. Dysphagia, Eyelid ptosis, Neck pain")
    severity = models.CharField(max_length=10, choices=AESeverity.choices)
    serious = models.BooleanField(default=False)
    seriousness_criteria = models.JSONField(default=list, blank=True)
    onset_day = models.PositiveIntegerField(
        help_text="Days after the injection when it started (0 = same day)"
    )
    outcome = models.CharField(max_length=20, choices=AEOutcome.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.term} ({self.get_severity_display()})"

    @property
    def criteria_labels(self) -> list[str]:
        return [SERIOUSNESS_CRITERIA.get(c, c) for c in self.seriousness_criteria]

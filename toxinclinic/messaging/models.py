"""The clinic's outbox (messages and their delivery attempts), its on-call list, opening hours, and the
escalations that walk the on-call list until somebody acknowledges.

The database is the queue: ``Message.next_attempt_at`` is indexed and a worker claims a due row with a
conditional UPDATE (status and lease in the WHERE clause), so two workers never send the same row and a
worker killed mid-send leaves a lease that runs out instead of a row stuck "sending" for ever.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Waiting to retry"
    FAILED = "failed", "Failed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CANCELLED = "cancelled", "Cancelled"


#: What each kind of message is, in words (callers add theirs; unknown kinds fall back to the key in words).
KIND_LABELS: dict[str, str] = {
    "urgent_report": "Urgent side-effect report",
    "check_in_reminder": "Check-in reminder",
    "appointment_reminder": "Appointment reminder",
    "window_opens": "Your next treatment window opens",
    "diary_nudge": "Diary reminder",
    "questionnaire_due": "Questionnaire due",
}

#: Statuses a worker may still pick up.
PENDING = (Status.QUEUED, Status.RETRYING)


class Message(models.Model):
    """One message to one person through one channel. ``idempotency_key`` makes queueing it twice a no-op."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, help_text="What the message is for, e.g. urgent_report.")
    topic = models.CharField(
        max_length=120, blank=True, db_index=True, help_text="What it is about, e.g. triage:<public id>."
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient_patient = models.ForeignKey(
        Patient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient_label = models.CharField(max_length=200, help_text="Name (and role) as shown on screens.")
    address = models.CharField(max_length=254, help_text="E-mail address or phone number used.")
    channel = models.CharField(max_length=20)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    deferred_from = models.DateTimeField(
        null=True, blank=True, help_text="When it was due before the clinic's quiet hours moved it."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_label} ({self.status})"

    @property
    def delivered(self) -> bool:
        return self.status in (Status.SENT, Status.ACKNOWLEDGED)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind) or self.kind.replace("_", " ").capitalize()

    @property
    def channel_label(self) -> str:
        return {"email": "e-mail", "sms": "text message"}.get(self.channel, self.channel)


class Outcome(models.TextChoices):
    STARTED = "started", "Handed to the channel (no answer yet)"
    SENT = "sent", "Delivered to the channel"
    ALREADY = "already_delivered", "Found already delivered (not sent again)"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Worker stopped while sending"


class Attempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.STARTED)
    error = models.CharField(max_length=500, blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["message", "number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="one_attempt_per_number")]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.outcome}"


class ClinicMessagingSettings(models.Model):
    """Per-clinic messaging policy (one row per clinic; defaults apply without one)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="messaging_settings")
    escalation_minutes = models.PositiveSmallIntegerField(
        default=15,
        help_text="Minutes an urgent report may stay unacknowledged before the next on-call contact is "
        "messaged.",
    )

    class Meta:
        verbose_name = "messaging settings"
        verbose_name_plural = "messaging settings"

    def __str__(self) -> str:
        return f"Messaging settings of {self.clinic}"

    quiet_from = models.TimeField(
        null=True,
        blank=True,
        help_text="Messages to patients due after this local time wait until the quiet hours end, e.g. "
        "21:00 (blank: no quiet hours). Urgent messages to staff are never held.",
    )
    quiet_until = models.TimeField(
        null=True, blank=True, help_text="Local time the quiet hours end, e.g. 08:00."
    )

    def clean(self) -> None:
        if not 1 <= self.escalation_minutes <= 240:
            raise ValidationError({"escalation_minutes": "Choose between 1 and 240 minutes."})
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValidationError(
                {"quiet_until": "Give both the start and the end of the quiet hours, or neither."}
            )
        if self.quiet_from is not None and self.quiet_from == self.quiet_until:
            raise ValidationError(
                {"quiet_until": "The quiet hours must end at another time than they start."}
            )


class ContactChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class OnCallContact(models.Model):
    """A person messaged about urgent reports, in ``position`` order (1 first)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="on_call_contacts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(help_text="1 is messaged first.")
    channel = models.CharField(max_length=10, choices=ContactChannel.choices, default=ContactChannel.EMAIL)
    address = models.CharField(
        max_length=254,
        blank=True,
        help_text="Phone number for text messages; for e-mail, blank uses the person's e-mail address.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["clinic", "position"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "position"], name="one_on_call_contact_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.user.display_name}"

    def resolved_address(self) -> str:
        if self.channel == ContactChannel.EMAIL:
            return self.address or self.user.email
        return self.address

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.user_id and self.clinic_id and self.user.clinic_id != self.clinic_id:
            errors["user"] = "Choose a person of this clinic."
        elif self.user_id and not self.user.is_clinic_staff:
            errors["user"] = "Only clinic staff can be on call."
        if self.channel == ContactChannel.SMS and not self.address.strip():
            errors["address"] = "Text messages need a phone number."
        if self.channel == ContactChannel.EMAIL and self.user_id and not self.resolved_address():
            errors["address"] = "This person has no e-mail address: enter one here."
        if errors:
            raise ValidationError(errors)


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
            (5, "Saturday"), (6, "Sunday")]  # fmt: skip


class OpeningHours(models.Model):
    """One opening period on a weekday, in the clinic's local time (several per day allowed)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["clinic", "weekday", "opens"]
        verbose_name_plural = "opening hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time on the same day."})


class ClosedDay(models.Model):
    """A date the clinic is closed although its weekly hours say open (holidays)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["clinic", "date"]
        constraints = [models.UniqueConstraint(fields=["clinic", "date"], name="one_closed_day_per_date")]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.reason}".strip()


class EscalationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the clinic to open"
    ACTIVE = "active", "Messaging the on-call list"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    EXHAUSTED = "exhausted", "Everyone on the list was messaged; nobody acknowledged"
    NO_CONTACTS = "no_contacts", "Nobody on the on-call list"


class Escalation(models.Model):
    """Walks the clinic's on-call list for one ``topic`` until somebody acknowledges it.

    ``step`` is how many contacts have been messaged; ``next_step_at`` (indexed) is when the next one is
    due. A worker advances it with a conditional UPDATE on ``step``, so each step happens once.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=14, choices=EscalationStatus.choices)
    step = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"escalation {self.topic} ({self.status})"


class Ticker(models.Model):
    """The next time the periodic sweep is due; keeps exactly one chain of sweep tasks alive."""

    name = models.CharField(max_length=40, unique=True)
    next_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at:%H:%M:%S}"


class ReminderGroup(models.TextChoices):
    """The kinds of reminder a patient can turn off, one switch each (urgent staff messages have none)."""

    APPOINTMENT = "appointment", "Appointment reminders"
    WINDOW_OPENS = "window_opens", "When your next treatment can be booked"
    DIARY = "diary", "Reminders to fill in your headache diary"
    QUESTIONNAIRE = "questionnaire", "When a questionnaire is waiting for you"
    CHECK_IN = "check_in", "Check-ins after a treatment"


#: Message kind -> the switch that controls it. Kinds not listed are not reminders (always sent).
GROUP_OF_KIND: dict[str, str] = {
    "appointment_reminder": ReminderGroup.APPOINTMENT,
    "window_opens": ReminderGroup.WINDOW_OPENS,
    "diary_nudge": ReminderGroup.DIARY,
    "questionnaire_due": ReminderGroup.QUESTIONNAIRE,
    "check_in_reminder": ReminderGroup.CHECK_IN,
}


def group_of_kind(kind: str) -> str | None:
    """The reminder switch for ``kind``; appointment kinds of the scheduling room all start "appointment"."""
    if kind in GROUP_OF_KIND:
        return GROUP_OF_KIND[kind]
    if kind.startswith(("appointment", "appt")):
        return ReminderGroup.APPOINTMENT
    return None


class ContactPreference(models.Model):
    """How one patient wants to hear from the clinic: one channel, and the reminders they turned off.

    No row means the defaults: e-mail, every reminder on. Changes are audited (``record_change``).
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="contact_preference")
    channel = models.CharField(max_length=10, choices=ContactChannel.choices, default=ContactChannel.EMAIL)
    opted_out = models.JSONField(
        default=list, blank=True, help_text="Reminder switches turned off (ReminderGroup values)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact preference of patient {self.patient_id}"

    def wants(self, kind: str) -> bool:
        group = group_of_kind(kind)
        return group is None or group not in self.opted_out

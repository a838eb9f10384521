"""Clinics, locations, users and their roles.

Every clinical record hangs off a ``Clinic``; a user belongs to exactly one clinic
(platform superusers aside), which is what scopes every query.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from toxinclinic.accounts import locale


class Clinic(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, help_text="Shown to patients on urgent screens.")
    emergency_number = models.CharField(
        max_length=20,
        default=locale.DEFAULT_EMERGENCY_NUMBER,
        validators=[locale.validate_emergency_number],
        help_text="Local emergency services, shown first on every urgent screen (911 in the US).",
    )
    address = models.TextField(blank=True)
    # One locale per clinic: every screen, message and PDF formats dates and phone numbers this way.
    country = models.CharField(max_length=2, choices=locale.Country.choices, default=locale.DEFAULT_COUNTRY)
    time_zone = models.CharField(
        max_length=40,
        choices=locale.TIME_ZONES,
        default=locale.DEFAULT_TIME_ZONE,
        validators=[locale.validate_time_zone],
        help_text="Times on screens, messages and PDFs are shown in this zone; 'today' is today here.",
    )
    date_format = models.CharField(
        max_length=20, choices=locale.DateFormat.choices, default=locale.DEFAULT_DATE_FORMAT
    )
    phone_format = models.CharField(
        max_length=20,
        choices=locale.PhoneFormat.choices,
        default=locale.DEFAULT_PHONE_FORMAT,
        help_text="How phone numbers are written and checked (patients' numbers too).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)

    class Meta:
        unique_together = [("clinic", "name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    NURSE = "nurse", "Nurse"
    CLINICIAN = "clinician", "Clinician"
    COORDINATOR = "coordinator", "Coordinator"
    ADMIN = "admin", "Clinic admin"


STAFF_ROLES = frozenset({Role.NURSE, Role.CLINICIAN, Role.COORDINATOR, Role.ADMIN})
CLINICAL_ROLES = frozenset({Role.NURSE, Role.CLINICIAN})


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    # A clinician may inject without being a prescriber (e.g. a nurse injector under protocol);
    # only prescribers may override a dose-safety hard stop.
    is_prescriber = models.BooleanField(default=False)
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. MD, RN, NP")

    objects = UserManager()

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def display_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name


class ApiToken(models.Model):
    """A bearer token that acts as one person (``user``). Only a SHA-256 of the token is stored.

    Issued only by that person (``issued_by`` is them; the database refuses a live token issued by
    anyone else) from their own session, after their second factor where one is required
    (``second_factor``): see ``accounts.tokens``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+", editable=False
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    second_factor = models.BooleanField(
        default=False, editable=False, help_text="Issued from a session that had passed the second factor."
    )
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issued_by__isnull=False, issued_by=models.F("user"))
                | models.Q(revoked_at__isnull=False),
                name="api_token_live_only_if_issued_by_its_owner",
            )
        ]

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def set_secret(self) -> str:
        """A new random token for this row: stores its prefix and digest, returns the token itself (the
        only time it exists in clear)."""
        raw = "tc_" + secrets.token_urlsafe(32)
        self.prefix, self.digest = raw[:8], self.hash(raw)
        return raw

    @classmethod
    def issue(
        cls,
        user: User,
        name: str,
        *,
        second_factor: bool = False,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """A token of ``user``'s, issued by ``user``. The people's path is ``accounts.tokens.issue_own``
        (checks the session's second factor, audits); this is the row itself, for it and for tests."""
        token = cls(user=user, issued_by=user, name=name, second_factor=second_factor, expires_at=expires_at)
        raw = token.set_secret()
        token.save()
        return token, raw


class Invitation(models.Model):
    """A one-time link with which an invited user (usually a patient) sets a password."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation for {self.user}"

    @classmethod
    def issue(cls, user: User, created_by: User | None) -> tuple[Invitation, str]:
        raw = secrets.token_urlsafe(32)
        inv = cls.objects.create(
            user=user,
            digest=ApiToken.hash(raw),
            created_by=created_by,
            expires_at=timezone.now() + timedelta(days=settings.TOXINCLINIC_INVITE_VALID_DAYS),
        )
        return inv, raw

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()

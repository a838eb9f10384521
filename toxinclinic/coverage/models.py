"""Prior authorizations: one row per patient, payer and request, with its status and what was approved.

Units are the product's own units (U) per session. ``visits_approved`` is the number of injection sessions
the payer approved between ``starts_on`` and ``ends_on``; visits used are counted from the signed sessions in
that period (the treatment room), never typed in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient


class AuthStatus(models.TextChoices):
    DRAFTED = "drafted", "Drafted"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"


class PriorAuthorization(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prior_authorizations")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    payer = models.CharField(max_length=120)
    indication = models.CharField(max_length=30, default="chronic_migraine")
    product = models.CharField(max_length=20, default="botox")
    renewal = models.BooleanField(default=False, help_text="A continuation request after treatment cycles.")
    status = models.CharField(max_length=12, choices=AuthStatus.choices, default=AuthStatus.DRAFTED)
    reference = models.CharField(max_length=60, blank=True, help_text="The payer's authorization number.")
    units_per_session = models.PositiveIntegerField(null=True, blank=True, help_text="U per session")
    visits_approved = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    denial_reason = models.TextField(blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "status", "ends_on"]),
            models.Index(fields=["patient", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.payer} authorization ({self.get_status_display()})"

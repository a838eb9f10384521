"""SMART Backend Services clients, their access tokens and used assertion ids, and Bulk Data export jobs.

A ``BackendClient`` is registered by a clinic admin (clinic-scoped admin) with the client's public key set
(JWKS); it signs a JWT assertion with its private key (RS384 or ES384) to get a short-lived access token.
Only SHA-256 digests of access tokens are stored.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient


def _client_id() -> str:
    return uuid.uuid4().hex


class BackendClient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    client_id = models.CharField(max_length=64, unique=True, default=_client_id)
    jwks = models.JSONField(help_text='The client\'s public key set: {"keys": [...]} (RS384 or ES384 keys).')
    scopes = models.CharField(
        max_length=500,
        default="system/*.read",
        help_text="The most this client may ask for, space-separated (SMART v1 or v2 syntax), e.g. "
        "system/*.read or system/Patient.rs. Read-only: write scopes are never granted.",
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="A patient's own app: its tokens see only this patient (patient/… scopes).",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class UsedAssertion(models.Model):
    """A client assertion's ``jti``, kept until the assertion's own expiry so a replay is refused."""

    client = models.ForeignKey(BackendClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="assertion_jti_once")]

    def __str__(self) -> str:
        return f"assertion {self.jti[:8]}…"


class AccessToken(models.Model):
    client = models.ForeignKey(BackendClient, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"token of {self.client_id} until {self.expires_at:%H:%M}"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> tuple[str, str]:
        raw = "fhir_" + secrets.token_urlsafe(32)
        return raw, cls.hash(raw)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Complete"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ExportJob(models.Model):
    """One Bulk Data ``$export``: what was asked, how far the worker got, and the finished manifest.

    ``output`` is written only once every file is complete (renamed into place), so a manifest never
    points at half a file. ``cursor`` is where the worker resumes after being killed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(BackendClient, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, help_text="system | patient | group")
    group = models.CharField(max_length=40, blank=True)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.TextField()
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    transaction_time = models.DateTimeField()
    progress = models.CharField(max_length=100, blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    output = models.JSONField(default=list, blank=True)
    error = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"export {self.public_id} ({self.status})"

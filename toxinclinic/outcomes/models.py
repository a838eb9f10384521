"""Questionnaire responses. Immutable once submitted: a new answer is a new response."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.core.models import PublicRecord
from toxinclinic.patients.models import Patient


class Instrument(models.TextChoices):
    MIDAS = "midas", "MIDAS"
    HIT6 = "hit6", "HIT-6"
    TWSTRS = "twstrs", "TWSTRS (patient-rated parts)"
    PAIN_NRS = "pain_nrs", "Pain score (NRS)"
    PGIC = "pgic", "PGIC"


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    PRE_INJECTION = "pre_injection", "Before re-injection"
    AFTER_TREATMENT = "after_treatment", "After treatment"
    OTHER = "other", "Other"


class QuestionnaireResponse(PublicRecord):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="questionnaire_responses")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=12, choices=Instrument.choices)
    answers = models.JSONField()
    total = models.FloatField()
    band = models.CharField(max_length=30, blank=True)
    band_label = models.CharField(max_length=120, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    timepoint = models.CharField(max_length=16, choices=Timepoint.choices)
    session = models.ForeignKey(
        "treatment.TreatmentSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_on = models.DateField()
    completed_at = models.DateTimeField(auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["completed_on", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.completed_on}"

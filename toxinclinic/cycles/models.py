"""Stored per-cycle outcomes: one row per signed session, what the clinic report aggregates.

Derived facts computed on write (DESIGN.md): :mod:`toxinclinic.cycles.outcomes` is the one writer, the
engine's :func:`toxinclinic.clinical.cycles.cycle_outcomes` the one judge. A patient's rows are rewritten
whenever a session is recorded, a diary month's stored counts change or a questionnaire is answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.models import TreatmentSession


class CycleOutcome(models.Model):
    """One session's cycle against the patient's baseline. Changes are cycle − baseline rounded to 0.1:
    headache and migraine days per 30 recorded days, questionnaire totals in the scale's points."""

    session = models.OneToOneField(TreatmentSession, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    # The report's filters, copied from the session and its visit.
    indication = models.CharField(max_length=30)
    product = models.CharField(max_length=20)
    protocol = models.CharField(max_length=40, blank=True)
    injector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    injected_on = models.DateField()
    cycle = models.PositiveSmallIntegerField()
    has_baseline = models.BooleanField()
    headache_change = models.FloatField(null=True, help_text="days per 30 recorded days")
    migraine_change = models.FloatField(null=True, help_text="days per 30 recorded days")
    reduction_pct = models.FloatField(null=True, help_text="percent fewer headache days than baseline")
    responder_50 = models.BooleanField(null=True)
    responder_30 = models.BooleanField(null=True)
    hit6_change = models.FloatField(null=True, help_text="points")
    midas_change = models.FloatField(null=True, help_text="points")
    twstrs_change = models.FloatField(null=True, help_text="points")
    pain_nrs_change = models.FloatField(null=True, help_text="points of 10")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "indication", "cycle"])]

    def __str__(self) -> str:
        return f"cycle {self.cycle} of session {self.session_id}"

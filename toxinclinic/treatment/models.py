"""The signed treatment sessions every workflow reads: one row per signed visit, what was injected.

The visits app owns the visit and its note; this room keeps the facts other apps share — injection
dates, the last session, the next window — written once, by the ``visit_signed`` receiver. Safety
(check-ins), diary (injection markers), outcomes, the recall list, the coordinator and FHIR read it here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from toxinclinic.accounts.locale import format_date
from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient


class TreatmentSession(models.Model):
    """What was injected at one signed visit. Units are ``product``'s own units (U)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatment_sessions")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    visit_id = models.UUIDField(unique=True, help_text="Public id of the signed visit in the visits app.")
    injected_on = models.DateField()
    product = models.CharField(max_length=20)
    indication = models.CharField(max_length=30)
    total_units = models.FloatField(help_text="U of the product")
    sites = models.JSONField(default=list, help_text='[{"muscle", "side", "units"}]')
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when the safety app held it (moved without copying rows).
        db_table = "safety_treatmentsession"
        ordering = ["-injected_on", "-id"]
        indexes = [models.Index(fields=["patient", "-injected_on"])]

    def __str__(self) -> str:
        return f"{self.product_brand} {self.total_units:g} U on {format_date(self.injected_on)}"

    @property
    def product_label(self) -> str:
        from toxinclinic.clinical import products

        p = products.PRODUCTS.get(self.product)
        return f"{p.brand} ({p.generic})" if p else self.product

    @property
    def product_brand(self) -> str:
        from toxinclinic.clinical import products

        p = products.PRODUCTS.get(self.product)
        return p.brand if p else self.product

    @property
    def indication_label(self) -> str:
        from toxinclinic.clinical.products import INDICATION_LABELS

        return INDICATION_LABELS.get(self.indication, self.indication.replace("_", " "))

    @property
    def site_count(self) -> int:
        return len(self.sites or [])

    def sites_by_muscle(self) -> list[tuple[str, float, int]]:
        """(muscle, total U, number of sites), for display."""
        from toxinclinic.clinical.anatomy import MUSCLE_LABELS

        acc: dict[str, list[float]] = {}
        for s in self.sites or []:
            acc.setdefault(s.get("muscle", "?"), []).append(float(s.get("units", 0)))
        return [(MUSCLE_LABELS.get(m, m), sum(u), len(u)) for m, u in acc.items()]

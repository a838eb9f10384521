"""Toxin stock: lots, vials, receipts and reconciliations.

A ``Lot`` is one manufacturer lot of one product (NDC, lot number, expiry) in one clinic; each physical
vial is a ``Vial`` row, so a recall search can follow a lot to the visits whose vials came from it.
Vial sizes and beyond-use hours come from the clinical engine (``toxinclinic.clinical.products``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic, Location
from toxinclinic.clinical import products
from toxinclinic.core.models import ClinicOwned, PublicRecord

PRODUCT_CHOICES = [(p.key, f"{p.brand} ({p.generic})") for p in products.PRODUCTS.values()]


class Lot(PublicRecord):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=20, choices=PRODUCT_CHOICES)
    ndc = models.CharField("NDC", max_length=20, help_text="National Drug Code on the carton.")
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "product", "lot_number"], name="lot_unique_per_clinic")
        ]
        indexes = [
            models.Index(fields=["clinic", "lot_number"]),
            models.Index(fields=["clinic", "expiry_date"]),
        ]
        ordering = ["expiry_date", "lot_number"]

    @property
    def product_info(self) -> products.Product:
        return products.get(self.product)

    def is_expired(self, on: date) -> bool:
        """Usable through the printed expiry date; expired from the day after."""
        return self.expiry_date < on

    def __str__(self) -> str:
        return f"{self.product_info.brand} lot {self.lot_number} (exp {self.expiry_date:%d %b %Y})"


class VialStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    OPENED = "opened", "Opened for a visit"
    USED = "used", "Used (note signed)"
    REMOVED = "removed", "Removed from stock"


class Receipt(PublicRecord):
    """One delivery of vials of one lot to one location."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="receipts")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()
    size_units = models.PositiveIntegerField(help_text="U per vial")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.count} × {self.size_units} U of {self.lot}"


class Vial(ClinicOwned):
    """One single-dose vial. Units are the lot's product's own units (U)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="vials")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="vials"
    )
    size_units = models.PositiveIntegerField(help_text="U in the vial")
    status = models.CharField(max_length=12, choices=VialStatus.choices, default=VialStatus.IN_STOCK)
    # Set when the vial is opened (reconstituted or diluted) for a visit.
    reconstituted_at = models.DateTimeField(null=True, blank=True)
    diluent_ml = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    beyond_use_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "status", "lot"])]
        ordering = ["lot__expiry_date", "id"]

    def __str__(self) -> str:
        return f"{self.lot} · {self.size_units} U vial"

    @property
    def units_per_0_1_ml(self) -> float | None:
        """U per 0.1 mL after reconstitution (engine arithmetic), None until a diluent volume is known."""
        if self.diluent_ml is None:
            return None
        from toxinclinic.clinical import dosing

        return dosing.Vial(self.size_units, float(self.diluent_ml)).units_per_0_1_ml

    @staticmethod
    def beyond_use(product: str, reconstituted_at: datetime) -> datetime:
        """Reconstitution time + the product's beyond-use hours (engine value)."""
        return reconstituted_at + timedelta(hours=products.get(product).beyond_use_hours)


class Reconciliation(PublicRecord):
    """A physical count of the stock at one location, compared with what the system expected."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-performed_at"]

    def __str__(self) -> str:
        return f"stock count at {self.location} on {self.performed_at:%d %b %Y}"


class ReconciliationLine(models.Model):
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    size_units = models.PositiveIntegerField()
    expected = models.PositiveIntegerField()
    counted = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.lot}: expected {self.expected}, counted {self.counted}"

    @property
    def difference(self) -> int:
        return self.counted - self.expected

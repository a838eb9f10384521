"""The injection visit: screening, consent, the charted sites, the vials used, and the signed note.

A ``Visit`` is the working record while it is a draft (every save carries ``version``; a stale save is a
conflict). Signing freezes it into a ``SignedNote`` (an immutable JSON snapshot); a correction is an
amendment: a new ``SignedNote`` version with a reason, the earlier versions kept readable. Units are always
the visit product's own units (U) and are never converted across products.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from toxinclinic.accounts.locale import format_date
from toxinclinic.accounts.models import Location
from toxinclinic.clinical import anatomy, billing, products
from toxinclinic.core.models import ClinicRecord, PublicRecord
from toxinclinic.inventory.models import PRODUCT_CHOICES, Vial
from toxinclinic.patients.models import Patient

INDICATION_CHOICES = [(k, v) for k, v in products.INDICATION_LABELS.items()]
HISTORY_INDICATION_CHOICES = [*INDICATION_CHOICES, ("cosmetic", "Cosmetic"), ("other", "Other")]
MUSCLE_CHOICES = list(anatomy.MUSCLE_LABELS.items())
SIDE_CHOICES = [("left", "Left"), ("right", "Right"), ("midline", "Midline")]


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Guidance(models.TextChoices):
    NONE = "", "None"
    EMG = "emg", f"Needle EMG ({billing.CPT_EMG})"
    ESTIM = "estim", f"Electrical stimulation ({billing.CPT_ESTIM})"


class Visit(ClinicRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    visit_date = models.DateField()
    indication = models.CharField(max_length=30, choices=INDICATION_CHOICES)
    product = models.CharField(max_length=20, choices=PRODUCT_CHOICES)
    protocol = models.CharField(max_length=40, blank=True, help_text="Engine protocol key of the template.")
    pain_side = models.CharField(max_length=10, default="both")
    guidance = models.CharField(max_length=10, choices=Guidance.choices, blank=True, default="")
    notes = models.TextField("clinical note", blank=True)
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT)
    # Screening: {"answers": {key: bool}, "sources": {key: "chart"|"last visit"}, "by": id, "at": iso}
    screening = models.JSONField(default=dict, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Stored on signing so a later dose check reads history as O(visits), not O(sites).
    total_units = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "visit_date"]),
            models.Index(fields=["patient", "status", "visit_date"]),
        ]
        ordering = ["-visit_date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_indication_display()} visit {format_date(self.visit_date)}"

    @property
    def is_signed(self) -> bool:
        return self.status == VisitStatus.SIGNED

    @property
    def product_info(self) -> products.Product:
        return products.get(self.product)

    @property
    def latest_note(self) -> SignedNote | None:
        return self.notes_versions.order_by("-version").first()


class Consent(models.Model):
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="consent")
    discussed_benefits = models.BooleanField(default=False)
    discussed_common_effects = models.BooleanField(
        "discussed common side effects", default=False, help_text="Neck pain, headache, ptosis, weakness."
    )
    discussed_serious_effects = models.BooleanField(
        "discussed rare serious side effects",
        default=False,
        help_text="Distant spread of toxin effect: swallowing, breathing, speech, vision; allergic reaction.",
    )
    discussed_alternatives = models.BooleanField(default=False)
    consented_by = models.CharField(
        max_length=20,
        choices=[("patient", "The patient"), ("representative", "Legal representative")],
        default="patient",
    )
    consenter_name = models.CharField(max_length=200)
    consented_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"consent by {self.consenter_name}"

    @property
    def complete(self) -> bool:
        return all(
            (
                self.discussed_benefits,
                self.discussed_common_effects,
                self.discussed_serious_effects,
                self.discussed_alternatives,
            )
        )


class InjectionSite(models.Model):
    """One injection: ``units`` (U of the visit's product) into ``muscle``/``side``.

    ``view``/``x``/``y`` are the map point from the engine's anatomy data, stored so the note is redrawn
    exactly as charted.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="sites")
    site_id = models.CharField(max_length=60)
    muscle = models.CharField(max_length=30, choices=MUSCLE_CHOICES)
    side = models.CharField(max_length=10, choices=SIDE_CHOICES)
    units = models.DecimalField(max_digits=8, decimal_places=2)
    follow_the_pain = models.BooleanField(default=False)
    view = models.CharField(max_length=5)
    x = models.FloatField()
    y = models.FloatField()
    position = models.PositiveIntegerField(default=0, help_text="Order on the chart.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "site_id"], name="site_id_unique_per_visit")]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.units:g} U"

    @property
    def label(self) -> str:
        return site_label(self.site_id, self.muscle, self.side)


def site_label(site_id: str, muscle: str, side: str) -> str:
    """'Temporalis left 1', 'Trapezius right follow-the-pain 2' from the engine's site id."""
    tail = site_id.rsplit("_", 1)[-1]
    ftp = "_ftp_" in site_id
    name = anatomy.MUSCLE_LABELS.get(muscle, muscle)
    side_txt = "" if side == "midline" else f" {side}"
    return f"{name}{side_txt}{' follow-the-pain' if ftp else ''} {tail}".strip()


class VialUse(PublicRecord):
    """A vial opened for this visit: units administered and discarded (U of the product)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="vial_uses")
    vial = models.OneToOneField(Vial, on_delete=models.PROTECT, related_name="use")
    units_administered = models.DecimalField(max_digits=8, decimal_places=2)
    units_discarded = models.DecimalField(max_digits=8, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.vial}: {self.units_administered:g} U given, {self.units_discarded:g} U discarded"


class DoseOverride(models.Model):
    """A prescriber's override of a dose-safety hard stop, with the reason (also in the audit trail)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="overrides")
    rule = models.CharField(max_length=40)
    message = models.TextField(help_text="The engine's finding that was overridden.")
    reason = models.TextField()
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"override of {self.rule}"


class NoteImmutable(Exception):
    pass


class SignedNote(PublicRecord):
    """One signed version of a visit's note. Never changed or deleted; an amendment is a new row."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="notes_versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    amendment_reason = models.TextField(blank=True)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    pdf = models.FileField(upload_to="notes/%Y/%m/", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "version"], name="note_version_unique")]
        ordering = ["visit", "version"]

    def __str__(self) -> str:
        return f"note v{self.version} of {self.visit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and set(kwargs.get("update_fields") or ()) != {"pdf"}:
            # Only the archived PDF rendering may be attached after the fact; the content never changes.
            raise NoteImmutable("A signed note cannot be changed; add an amendment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise NoteImmutable("A signed note cannot be deleted.")


class BillingLine(models.Model):
    """Claim lines of a signed visit (from the engine's ``billing.lines``), for the coordinator."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="billing_lines")
    note_version = models.PositiveIntegerField()
    code = models.CharField(max_length=10)
    modifiers = models.CharField(max_length=20, blank=True)
    units = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return "-".join([self.code, *[m for m in self.modifiers.split(",") if m]]) + f" × {self.units}"


class OutsideInjection(ClinicRecord):
    """Toxin given elsewhere (another provider, cosmetic included): counts for interval and dose checks."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outside_injections")
    given_on = models.DateField()
    product = models.CharField(max_length=20, choices=PRODUCT_CHOICES)
    units = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="U of that product (units are not converted)."
    )
    indication = models.CharField(max_length=30, choices=HISTORY_INDICATION_CHOICES)
    where = models.CharField("where given", max_length=200, help_text="Provider or clinic.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = None  # never had one: the row is written once

    class Meta:
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"{products.get(self.product).brand} {self.units:g} U on {format_date(self.given_on)}"

"""The patient chart core: demographics, indications, allergies, medications,
relevant history and prior preventive treatments.

Every row carries ``clinic`` (directly or through its patient) and a ``version``
used for optimistic locking: an update names the version it started from and is
refused with a conflict when somebody else saved first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from toxinclinic.accounts.models import Clinic, Location
from toxinclinic.clinical import billing, diary
from toxinclinic.core.models import ClinicRecord, PublicRecord


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(PublicRecord):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="patient"
    )
    mrn = models.CharField("MRN", max_length=32, help_text="Medical record number, unique within the clinic.")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    enrolled_on = models.DateField(help_text="First day the clinic follows this patient (diary starts here).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Lower-cased "last first mrn" for a cheap, index-friendly search on both databases.
    search_text = models.CharField(max_length=260, db_index=True, editable=False, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_per_clinic")
        ]
        indexes = [models.Index(fields=["clinic", "last_name", "first_name"])]
        ordering = ["last_name", "first_name"]

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = f"{self.last_name} {self.first_name} {self.mrn}".lower()[:260]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"


class Indication(models.TextChoices):
    CHRONIC_MIGRAINE = "chronic_migraine", "Chronic migraine"
    CERVICAL_DYSTONIA = "cervical_dystonia", "Cervical dystonia"


def _icd10_order(code: str) -> tuple[str, bool]:
    # Not intractable before intractable, "without status migrainosus" (…9) before "with" (…1).
    return code[-2], not code.endswith("9")


# ICD-10-CM codes by indication: the billing engine's table (clinical-reference §9).
ICD10_CHOICES = [
    (code, f"{code} {label}")
    for codes in billing.DIAGNOSIS_CODES.values()
    for code, label in sorted(codes.items(), key=lambda item: _icd10_order(item[0]))
]
ICD10_BY_INDICATION = {indication: set(codes) for indication, codes in billing.DIAGNOSIS_CODES.items()}


class ChartRecord(ClinicRecord):
    """Fields every chart sub-record shares."""

    class Meta:
        abstract = True


class PatientIndication(ChartRecord):
    indication = models.CharField(max_length=30, choices=Indication.choices)
    icd10 = models.CharField("ICD-10 code", max_length=10, choices=ICD10_CHOICES)
    diagnosed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "indication"], name="one_row_per_patient_indication")
        ]

    def __str__(self) -> str:
        return f"{self.get_indication_display()} ({self.icd10})"


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe / anaphylaxis"


class Allergy(ChartRecord):
    substance = models.CharField(max_length=200)
    # A hypersensitivity to any botulinum toxin product or an ingredient is a hard stop (label).
    botulinum_toxin = models.BooleanField(
        "botulinum toxin or ingredient",
        default=False,
        help_text="Tick for hypersensitivity to any botulinum toxin product or an ingredient (e.g. albumin).",
    )
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(
        max_length=10, choices=AllergySeverity.choices, default=AllergySeverity.MODERATE
    )

    class Meta:
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance


class MedicationClass(models.TextChoices):
    # Acute headache medicines (the diary counts these per class).
    TRIPTAN = "triptan", "Triptan (acute)"
    ERGOT = "ergot", "Ergot (acute)"
    NSAID = "nsaid", "NSAID (acute)"
    SIMPLE_ANALGESIC = "simple_analgesic", "Simple analgesic, e.g. acetaminophen (acute)"
    COMBINATION_ANALGESIC = "combination_analgesic", "Combination analgesic (acute)"
    OPIOID = "opioid", "Opioid (acute)"
    GEPANT = "gepant", "Gepant"
    DITAN = "ditan", "Ditan (acute)"
    # Classes that matter for toxin safety screening.
    ANTICOAGULANT = "anticoagulant", "Anticoagulant"
    ANTIPLATELET = "antiplatelet", "Antiplatelet"
    AMINOGLYCOSIDE = "aminoglycoside", "Aminoglycoside antibiotic"
    NMJ_INTERFERING = "nmj_interfering", "Other drug interfering with neuromuscular transmission"
    MUSCLE_RELAXANT = "muscle_relaxant", "Muscle relaxant"
    ANTICHOLINERGIC = "anticholinergic", "Anticholinergic"
    PREVENTIVE = "preventive", "Migraine preventive"
    OTHER = "other", "Other"


#: The diary engine's acute-medicine classes ("other" is a diary answer, not a chart class).
ACUTE_CLASSES = frozenset(diary.MEDICATION_CLASSES) - {"other"}


class Medication(ChartRecord):
    name = models.CharField(max_length=200)
    drug_class = models.CharField(
        max_length=30, choices=MedicationClass.choices, default=MedicationClass.OTHER
    )
    dose = models.CharField(max_length=100, blank=True, help_text="e.g. 50 mg as needed")
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    @property
    def active(self) -> bool:
        return self.stopped_on is None

    @property
    def is_acute(self) -> bool:
        return self.drug_class in ACUTE_CLASSES

    def __str__(self) -> str:
        return self.name


class HistoryCondition(models.TextChoices):
    MYASTHENIA_GRAVIS = "myasthenia_gravis", "Myasthenia gravis"
    LAMBERT_EATON = "lambert_eaton", "Lambert-Eaton syndrome"
    MOTOR_NEURON_DISEASE = "motor_neuron_disease", "ALS / motor neuron disease"
    OTHER_NEUROMUSCULAR = "other_neuromuscular", "Other neuromuscular junction disorder"
    SWALLOWING_DIFFICULTY = "swallowing_difficulty", "Swallowing difficulty (dysphagia)"
    BREATHING_DIFFICULTY = "breathing_difficulty", "Breathing difficulty"
    COMPROMISED_RESPIRATORY = "compromised_respiratory", "Compromised respiratory function"
    PREGNANCY = "pregnancy", "Pregnancy"
    BREASTFEEDING = "breastfeeding", "Breastfeeding"
    OTHER = "other", "Other relevant history"


class HistoryItem(ChartRecord):
    condition = models.CharField(max_length=30, choices=HistoryCondition.choices)
    details = models.CharField(max_length=300, blank=True)
    since = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)

    @property
    def active(self) -> bool:
        return self.resolved_on is None

    def __str__(self) -> str:
        return self.get_condition_display()


class PreventiveClass(models.TextChoices):
    ANTICONVULSANT = "anticonvulsant", "Anticonvulsant (topiramate, valproate)"
    BETA_BLOCKER = "beta_blocker", "Beta-blocker (propranolol, metoprolol, timolol)"
    ANTIDEPRESSANT = "antidepressant", "Antidepressant (amitriptyline, nortriptyline, venlafaxine)"
    ARB = "arb", "Angiotensin receptor blocker (candesartan)"
    CGRP_MAB = "cgrp_mab", "CGRP monoclonal antibody"
    GEPANT = "gepant", "Gepant (atogepant, rimegepant)"
    ONABOTULINUMTOXINA = "onabotulinumtoxina", "OnabotulinumtoxinA"
    OTHER = "other", "Other"


class PreventiveOutcome(models.TextChoices):
    INEFFECTIVE = "ineffective", "Ineffective"
    NOT_TOLERATED = "not_tolerated", "Not tolerated"
    CONTRAINDICATED = "contraindicated", "Contraindicated"
    ONGOING = "ongoing", "Ongoing"


class PreventiveTrial(ChartRecord):
    drug = models.CharField(max_length=100)
    drug_class = models.CharField(max_length=30, choices=PreventiveClass.choices)
    dose = models.CharField(max_length=100, blank=True)
    at_target_dose = models.BooleanField(default=False, help_text="Reached the target dose of the trial.")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=PreventiveOutcome.choices)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.drug} ({self.get_outcome_display()})"

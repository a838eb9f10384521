"""Re-treatment recall: one row per patient and indication, its due date precomputed on signing.

``due_on`` is indexed, so the coordinator's recall list is a range scan over patients, not a walk over
visits. The window comes from the clinical engine (``recall.recall_window``: 12 weeks by default).
"""

from __future__ import annotations

import uuid

from django.db import models

from toxinclinic.accounts.locale import format_date
from toxinclinic.accounts.models import Clinic
from toxinclinic.patients.models import Patient


class Recall(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="recalls")
    indication = models.CharField(max_length=30)
    product = models.CharField(max_length=20)
    last_session_on = models.DateField()
    opens_on = models.DateField()
    due_on = models.DateField(db_index=True)
    last_visit_id = models.UUIDField(help_text="Public id of the signed visit that set this recall.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "indication"], name="one_recall_per_patient_indication"
            )
        ]
        indexes = [models.Index(fields=["clinic", "due_on"])]
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"recall due {format_date(self.due_on)}"

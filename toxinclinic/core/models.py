"""What every clinic record has, declared once (care's ``utils/models/base.py`` is the model).

Three abstract layers; a model takes the deepest one whose fields it has:

- ``PublicRecord`` — the UUID that URLs, the API and the audit trail use (never the integer pk);
- ``ClinicOwned`` — + the clinic it belongs to, created/updated times and the ``version`` a stale write is
  detected by (stock: a vial);
- ``ClinicRecord`` — + the patient; the record's clinic always follows its patient's, so a record can never
  drift into another clinic.

A model whose patient link has its own ``related_name`` or ``on_delete`` declares ``patient`` again; one
without a field of its layer sets it to ``None`` (Django removes an inherited abstract field that way).
Nothing here creates a table: the fields are the ones each model already had, so migrations are unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models


class PublicRecord(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class ClinicOwned(PublicRecord):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class ClinicRecord(ClinicOwned):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="%(class)ss")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The clinic always follows the patient. A save limited to other fields writes neither, so it
        # skips the look-up (the patient may not be loaded: a diary day's update must not cost a query).
        fields = kwargs.get("update_fields")
        if fields is None or {"clinic", "clinic_id", "patient", "patient_id"} & set(fields):
            self.clinic_id = self.patient.clinic_id
        super().save(*args, **kwargs)

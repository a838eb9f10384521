"""The treatment room's part of the chart's safety banner (``patients.banner``): the clinic's
re-treatment interval (days), which dates the banner's "next treatment from" line."""

from __future__ import annotations

from typing import Any

from toxinclinic.patients.models import Patient
from toxinclinic.treatment.conf import recall_interval_days


def banner_facts(patient: Patient, *, exclude: Any = None) -> dict[str, Any]:
    return {"interval_days": recall_interval_days()}

"""The chart's coded choices are the clinical engine's: a key the engine does not know would be skipped
silently by the verdicts (preventive failures, screening prefill, billing diagnosis)."""

from __future__ import annotations

from dataclasses import fields

from toxinclinic.clinical import billing, diary, eligibility, products, screening
from toxinclinic.patients import models
from toxinclinic.patients.screening import HISTORY_FLAGS, MEDICATION_FLAGS


def test_diagnosis_codes_are_the_billing_engines() -> None:
    assert dict(models.ICD10_CHOICES).keys() == {c for cs in billing.DIAGNOSIS_CODES.values() for c in cs}
    assert models.ICD10_BY_INDICATION == {k: set(v) for k, v in billing.DIAGNOSIS_CODES.items()}
    assert models.ICD10_CHOICES[0] == (
        "G43.709",
        "G43.709 Chronic migraine without aura, not intractable, without status migrainosus",
    )
    assert set(models.Indication.values) == set(products.INDICATIONS)


def test_chart_classes_are_the_engines() -> None:
    assert set(models.PreventiveClass.values) - {"other"} == set(eligibility.PREVENTIVE_CLASSES)
    assert set(diary.MEDICATION_CLASSES) - {"other"} == models.ACUTE_CLASSES
    assert models.ACUTE_CLASSES <= set(models.MedicationClass.values)


def test_screening_flags_name_the_engines_questions() -> None:
    questions = {f.name for f in fields(screening.ScreeningInput)}
    assert set(MEDICATION_FLAGS.values()) <= questions
    assert set(HISTORY_FLAGS.values()) <= questions
    assert set(MEDICATION_FLAGS) <= set(models.MedicationClass.values)
    assert set(HISTORY_FLAGS) <= set(models.HistoryCondition.values)

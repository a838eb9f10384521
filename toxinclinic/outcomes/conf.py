"""When questionnaires fall due. Values read from Django settings at call time.

- ``TOXINCLINIC_QUESTIONNAIRE_BEFORE_WINDOW_DAYS`` (default 14): MIDAS/HIT-6 (migraine) and TWSTRS/pain
  score (dystonia) fall due this many days before the next injection window opens.
- ``TOXINCLINIC_PGIC_AFTER_DAYS`` (default 14): PGIC falls due this many days after each session (the full
  effect takes about 2 weeks).
"""

from __future__ import annotations

from django.conf import settings


def before_window_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_QUESTIONNAIRE_BEFORE_WINDOW_DAYS", 14))


def pgic_after_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_PGIC_AFTER_DAYS", 14))

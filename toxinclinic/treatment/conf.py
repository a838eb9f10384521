"""The re-treatment interval: the one place it is read.

``TOXINCLINIC_RECALL_INTERVAL_DAYS`` (default the engine's ``recall.DEFAULT_INTERVAL_DAYS``, 84 days =
12 weeks) is passed to ``clinical.recall.recall_window`` by everything that shows or stores a next
window: the recall list, the patient's treatment status, the coordinator's worklist.
"""

from __future__ import annotations

from django.conf import settings

from toxinclinic.clinical.recall import DEFAULT_INTERVAL_DAYS


def recall_interval_days() -> int:
    """Days from one session to the next window's due date (read at call time so tests can override)."""
    return int(getattr(settings, "TOXINCLINIC_RECALL_INTERVAL_DAYS", DEFAULT_INTERVAL_DAYS))

"""Worklist settings, read at call time.

- ``TOXINCLINIC_WORKLIST_GRACE_DAYS`` (default ``clinical.worklist.DEFAULT_GRACE_DAYS``, 14): days after the
  window opens before a patient is overdue.
- ``TOXINCLINIC_WORKLIST_AUTH_WARN_DAYS`` (default 30): warn this many days before an authorization expires.
"""

from __future__ import annotations

from django.conf import settings

from toxinclinic.clinical import worklist


def grace_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_WORKLIST_GRACE_DAYS", worklist.DEFAULT_GRACE_DAYS))


def auth_warn_days() -> int:
    return int(getattr(settings, "TOXINCLINIC_WORKLIST_AUTH_WARN_DAYS", worklist.DEFAULT_AUTH_WARN_DAYS))

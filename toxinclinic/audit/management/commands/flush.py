"""``manage.py flush`` that can empty the audit table in development and tests, and only there.

On PostgreSQL the audit table refuses TRUNCATE (migration 0003), and Django's flush is one TRUNCATE of
every table: Django's transactional tests (``live_server`` included) run it after each test, and
``demo_seed --reset`` runs it too. In development mode (``TOXINCLINIC_DEV``) this command lifts the
trigger around the flush; that needs ownership of the table, which the production app role does not
have. Outside development mode it is Django's flush, and the trigger refuses it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections

_TABLE = "audit_auditevent"
_TRIGGER = "audit_no_truncate"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not settings.DEV or not _has_trigger(connection):
            return super().handle(**options)
        with connection.cursor() as cur:
            cur.execute(f"ALTER TABLE {_TABLE} DISABLE TRIGGER {_TRIGGER}")
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cur:
                cur.execute(f"ALTER TABLE {_TABLE} ENABLE TRIGGER {_TRIGGER}")
        return None


def _has_trigger(connection: Any) -> bool:
    """False before migration 0003 ran (a flush of a half-migrated database)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s)", [_TRIGGER, _TABLE]
        )
        return cur.fetchone() is not None

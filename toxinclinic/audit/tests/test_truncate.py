"""TRUNCATE of the audit table is refused on PostgreSQL; the development/test flush still works."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from toxinclinic.audit.models import AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL (SQLite has none)"
)


def test_truncate_of_the_audit_table_raises(db: Any) -> None:
    AuditEvent.objects.create(action="test.event", actor_label="x")
    for sql in ("TRUNCATE audit_auditevent", "TRUNCATE audit_auditevent, accounts_clinic CASCADE"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as c:
                c.execute(sql)
    assert AuditEvent.objects.filter(action="test.event").count() == 1


def test_flush_outside_development_mode_is_refused(db: Any, settings: Any) -> None:
    AuditEvent.objects.create(action="test.event", actor_label="x")
    settings.DEV = False
    with pytest.raises(CommandError) as refused:
        call_command("flush", interactive=False, verbosity=0)
    assert "append-only" in str(refused.value.__cause__)
    assert AuditEvent.objects.filter(action="test.event").count() == 1


@pytest.mark.django_db(transaction=True)
def test_development_flush_empties_the_trail_and_leaves_the_trigger_on(settings: Any) -> None:
    AuditEvent.objects.create(action="test.event", actor_label="x")
    assert settings.DEV
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as c:
        c.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_no_truncate'")
        assert c.fetchone() == ("O",)  # enabled again ("D" would be disabled)

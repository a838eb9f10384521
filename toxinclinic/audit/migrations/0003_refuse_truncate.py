"""Refuse TRUNCATE of the audit table on PostgreSQL.

Row triggers (0002) never fire for TRUNCATE, so until now a single ``TRUNCATE audit_auditevent`` emptied
the trail. This statement-level trigger refuses it for every role. Only the table's owner can disable it
(``ALTER TABLE ... DISABLE TRIGGER``); the app's own role should not own the table (README, "Production
database role"). The development and test flush (``manage.py flush``, used by Django's transactional
tests and ``demo_seed --reset``) does that in ``toxinclinic/audit/management/commands/flush.py``, only in
development mode. SQLite has no TRUNCATE.
"""

from django.db import migrations

POSTGRES = [
    # audit_append_only() (0002) raises for any event it is attached to, statement-level ones included.
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();""",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]

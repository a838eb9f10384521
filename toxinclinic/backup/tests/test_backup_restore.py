"""Backup and restore, on whichever database the suite runs on: a real dump of the test database restored
into a new, empty instance, proven equal table by table and file by file; and every refusal."""

from __future__ import annotations

import io
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from toxinclinic.audit.models import AuditEvent
from toxinclinic.backup.archive import Database
from toxinclinic.patients.models import Patient
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "note-1.pdf").write_bytes(b"%PDF-1.7 signed note\n" * 50)
    (root / "education").mkdir()
    (root / "education" / "narration.opus").write_bytes(bytes(range(256)) * 40)
    settings.MEDIA_ROOT = root
    return root


def _pg_url(name: str) -> str:
    s = connections["default"].settings_dict
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the suite's engine, as a URL; dropped afterwards."""
    source = Database.from_settings(connections["default"].settings_dict)
    if source.engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(source.dsn, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _restore(archive: Path, url: str, media_root: Path, *extra: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "restore", str(archive), "--database-url", url, "--media-root", str(media_root), *extra, stdout=out
    )
    return out.getvalue()


def _query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    db = Database.from_url(url)
    conn = db.connect()
    try:
        if db.engine == "sqlite":
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def archive(world: Any, media: Path, tmp_path: Path) -> Path:
    sign_visit(world.patient, days_ago(20), world.user("clinician"))
    out = tmp_path / "backup.tar"
    call_command("backup", "--out", str(out), stdout=io.StringIO())
    return out


def test_restore_into_a_new_instance_is_equal_table_by_table_and_file_by_file(
    archive: Path, target: str, tmp_path: Path, world: Any
) -> None:
    restored_media = tmp_path / "restored-media"
    said = _restore(archive, target, restored_media)
    assert "Restored and verified" in said and "2 media files equal" in said
    # Independently of the digests: the rows and the files are really there.
    names = _query(
        target,
        "SELECT first_name, last_name FROM patients_patient WHERE public_id = %s",
        (world.patient.public_id.hex if "sqlite" in target else world.patient.public_id,),
    )
    assert names == [(world.patient.first_name, world.patient.last_name)]
    assert _query(target, "SELECT count(*) FROM safety_treatmentsession")[0][0] == 1
    audit_rows = _query(target, "SELECT count(*) FROM audit_auditevent")[0][0]
    assert audit_rows == AuditEvent.objects.count() > 0
    assert (restored_media / "notes" / "note-1.pdf").read_bytes() == b"%PDF-1.7 signed note\n" * 50


def test_verify_names_the_table_and_the_file_that_differ(archive: Path, target: str, tmp_path: Path) -> None:
    restored_media = tmp_path / "restored-media"
    _restore(archive, target, restored_media)
    db = Database.from_url(target)
    conn = db.connect()
    conn.execute("UPDATE patients_patient SET first_name = 'Changed'")
    conn.commit()
    conn.close()
    (restored_media / "notes" / "note-1.pdf").write_bytes(b"tampered")
    with pytest.raises(CommandError) as err:
        _restore(archive, target, restored_media, "--verify-only")
    text = str(err.value)
    assert "table patients_patient: same" in text and "different contents" in text
    assert "file notes/note-1.pdf: different contents" in text
    assert "audit_auditevent" not in text


def test_refuses_a_database_that_is_not_empty_and_changes_nothing(archive: Path, tmp_path: Path) -> None:
    source = connections["default"].settings_dict
    before = Patient.objects.count()
    if "sqlite" in source["ENGINE"]:
        url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
        busy = sqlite3.connect(tmp_path / "busy.sqlite3")
        busy.execute("CREATE TABLE something (id integer primary key)")
        busy.commit()
        busy.close()
    else:
        url = _pg_url(source["NAME"])  # the suite's own database: full of tables
    with pytest.raises(CommandError, match=r"already has \d+ tables; restore into a new, empty database"):
        _restore(archive, url, tmp_path / "m")
    assert Patient.objects.count() == before
    assert not (tmp_path / "m").exists()


def test_refuses_a_media_directory_that_is_not_empty(archive: Path, target: str, tmp_path: Path) -> None:
    busy = tmp_path / "busy-media"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(CommandError, match=r"media directory \S+ is not empty"):
        _restore(archive, target, busy)
    assert _query(target, "SELECT 1")  # the database was not touched: still connectable and empty
    assert Database.from_url(target).engine in {"sqlite", "postgresql"}


def test_a_truncated_archive_is_refused_with_what_is_wrong(
    archive: Path, target: str, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[:300])
    with pytest.raises(CommandError, match="not a complete Toxin Clinic backup"):
        _restore(cut, target, tmp_path / "m")
    with pytest.raises(CommandError, match="No archive at"):
        _restore(tmp_path / "missing.tar", target, tmp_path / "m")

"""The batched digest gives the very bytes of the row-by-row definition (``repr`` of every value after
``_norm``), so archives written before it still verify: on the suite's database, and on a SQLite table
whose values change type from row to row (a blob in a text column)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from toxinclinic.audit.models import AuditEvent
from toxinclinic.backup import digests
from toxinclinic.backup.archive import Database
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db(transaction=True)


def _row_by_row(conn: Any, engine: str) -> dict[str, tuple[int, str]]:
    """The digest as first defined: one row at a time, every value through ``_norm``."""
    out = {}
    for table in digests.tables(conn, engine):
        order = ", ".join(f'"{c}"' for c in digests._order_columns(conn, engine, table))
        cur = conn.cursor()
        cur.execute(f'SELECT * FROM "{table}" ORDER BY {order}')  # noqa: S608
        h, n = hashlib.sha256(), 0
        for row in cur.fetchall():
            h.update(repr(tuple(digests._norm(v) for v in row)).encode())
            h.update(b"\n")
            n += 1
        out[table] = (n, h.hexdigest())
    return out


def test_batched_digest_equals_the_row_by_row_definition(world: Any) -> None:
    sign_visit(world.patient, days_ago(20), world.user("clinician"))
    assert AuditEvent.objects.exists()
    db = Database.from_settings(connections["default"].settings_dict)
    conn = db.connect()
    try:
        if db.engine == "postgresql":
            conn.execute("SET TIME ZONE 'UTC'")
        got = {t: (d.rows, d.sha256) for t, d in digests.table_digests(conn, db.engine).items()}
        assert got == _row_by_row(conn, db.engine)
        assert got["safety_treatmentsession"][0] == 1
    finally:
        conn.close()


def test_a_blob_in_any_sqlite_column_is_hashed_as_before(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "mixed.sqlite3")
    conn.execute("CREATE TABLE t (id integer primary key, note text, at text)")
    aware = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC).isoformat()
    rows = [(i, f"note {i}" if i % 3 else b"\x00\xffraw", aware) for i in range(1, 12_000)]
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    conn.commit()
    try:
        got = {t: (d.rows, d.sha256) for t, d in digests.table_digests(conn, "sqlite").items()}
        want = _row_by_row(conn, "sqlite")
        assert got == want and got["t"][0] == 11_999
        conn.execute("UPDATE t SET note = 'changed' WHERE id = 3")
        assert digests.table_digests(conn, "sqlite")["t"].sha256 != want["t"][1]
    finally:
        conn.close()


@pytest.mark.django_db(transaction=False)
def test_json_values_parse_to_what_the_standard_library_gives() -> None:
    import json

    for text in (
        b'{"b": [1, 2.5, -0.0, 1e-7, "caf\\u00e9"], "a": null, "n": true}',
        b'{"huge": 123456789012345678901234567890, "long": 0.12345678901234567890123}',
        b"[9223372036854775807, -9223372036854775808, 18446744073709551615, 1e308, 1e400, 5e-324]",
        b'{"x": NaN}',
        b'"plain"',
        b"[]",
    ):
        got = digests._json_loads(text)
        assert repr(got) == repr(json.loads(text))

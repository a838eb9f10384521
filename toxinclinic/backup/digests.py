"""What "equal" means for a backup: per table, the row count and a SHA-256 over every row in primary-key
order; per media file, its size and SHA-256.

Digests are taken through plain DB-API connections (psycopg, sqlite3) on both sides, so the source and a
restored copy on the same engine are compared value by value, without Django's type conversions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

BATCH = 5000


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


def _norm(v: Any) -> Any:
    if isinstance(v, memoryview | bytes | bytearray):
        return bytes(v).hex()
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).isoformat()
    return v


def tables(conn: Any, engine: str) -> list[str]:
    cur = conn.cursor()
    if engine == "postgresql":
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    else:
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    return [r[0] for r in cur.fetchall()]


def _order_columns(conn: Any, engine: str, table: str) -> list[str]:
    """The primary key's columns, or every column when the table has none (a total order either way)."""
    cur = conn.cursor()
    if engine == "postgresql":
        cur.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)",
            (_quote(table),),
        )
        cols = [r[0] for r in cur.fetchall()]
        if not cols:
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s ORDER BY ordinal_position",
                (table,),
            )
            cols = [r[0] for r in cur.fetchall()]
        return cols
    cur.execute(f"PRAGMA table_info({_quote(table)})")
    info = cur.fetchall()  # cid, name, type, notnull, default, pk
    pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    return pk or [r[1] for r in info]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: PostgreSQL types whose values ``_norm`` changes (bytea, timestamptz); every other value is hashed as
#: the driver returns it.
_PG_NORMALISED = {17, 1184}


#: A run of 19 digits: an integer orjson might not hold exactly (it turns those into floats).
_LONG_NUMBER = re.compile(rb"\d{19}")


def _json_loads(data: bytes | str) -> Any:
    """The standard library's values, parsed by orjson (several times faster on millions of diary rows)
    when it gives the same: not for long digit runs (orjson makes big integers floats) nor for what it
    refuses (NaN, out-of-range numbers)."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if _LONG_NUMBER.search(raw):
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def _batches(conn: Any, engine: str, table: str) -> Iterator[tuple[list[tuple[Any, ...]], list[int]]]:
    """The table's rows in key order, a batch at a time, with the positions of the columns whose values
    need ``_norm`` (found once per table, so the other values are hashed without a Python call each)."""
    order = ", ".join(_quote(c) for c in _order_columns(conn, engine, table))
    # Names come from the database's own catalog (never from a request), quoted as identifiers.
    sql = f"SELECT * FROM {_quote(table)} ORDER BY {order}"  # noqa: S608
    if engine == "postgresql":
        # A server-side cursor keeps memory flat on a table of millions of diary days.
        cur = conn.cursor(name=f"digest_{abs(hash(table))}")
        from psycopg.types.json import set_json_loads

        set_json_loads(_json_loads, cur)
        cur.execute(sql)
        batch = cur.fetchmany(BATCH)
        norm = [i for i, d in enumerate(cur.description or ()) if d.type_code in _PG_NORMALISED]
    else:
        cur = conn.cursor()
        cur.execute(f"PRAGMA table_info({_quote(table)})")
        names = [r[1] for r in cur.fetchall()]
        # SQLite types each value, not each column: ask which columns hold a blob anywhere (one scan
        # in C), so a blob in any column is hashed as hex exactly as before.
        probe = ", ".join(f"max(typeof({_quote(n)}) = 'blob')" for n in names)
        flags = cur.execute(f"SELECT {probe} FROM {_quote(table)}").fetchone()  # noqa: S608
        norm = [i for i, f in enumerate(flags) if f]
        cur.execute(sql)
        batch = cur.fetchmany(BATCH)
    while batch:
        yield batch, norm
        batch = cur.fetchmany(BATCH)
    cur.close()


def _update(h: Any, batch: list[tuple[Any, ...]], norm: list[int]) -> None:
    """Hash each row as ``repr`` of its (normalised) values and a newline: the same bytes, row by row,
    as ``repr(tuple(_norm(v) for v in row)) + "\n"``, which earlier archives' manifests were made with."""
    if norm:
        rows = []
        for r in batch:
            values = list(r)
            for i in norm:
                values[i] = _norm(values[i])
            rows.append(tuple(values))
        batch = rows
    h.update(("\n".join(map(repr, batch)) + "\n").encode())


def table_digests(
    conn: Any, engine: str, *, advance: Callable[[str, int], None] | None = None
) -> dict[str, TableDigest]:
    """Every table of the database: rows and SHA-256 of its rows in key order."""
    out: dict[str, TableDigest] = {}
    for table in tables(conn, engine):
        h = hashlib.sha256()
        n = 0
        for batch, norm in _batches(conn, engine, table):
            _update(h, batch, norm)
            n += len(batch)
        out[table] = TableDigest(n, h.hexdigest())
        if advance:
            advance(table, n)
    return out


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def media_digests(root: Path) -> dict[str, dict[str, Any]]:
    """Every file under ``root`` (relative POSIX path → size and SHA-256); an absent root has none."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): {"size": p.stat().st_size, "sha256": file_digest(p)}
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }

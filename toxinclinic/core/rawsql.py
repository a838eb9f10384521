# ruff: noqa: S608 -- identifiers come from model metadata, quoted by the backend; values are parameters.
"""Model-shaped SQL for the few hot paths where the ORM's per-query cost matters.

Building and compiling a queryset costs 0.1–0.4 ms of CPU per query, before the database does anything; a
diary save through the API runs about ten statements, so the ORM alone was most of its time (see
docs/benchmarks.md). :class:`Table` writes the SQL once per model, statement shape and database vendor
from the model's own metadata (table, columns, the backend's quoting) and converts values both ways with
each field's own ``get_db_prep_save`` and database converters, so a row read here equals what the ORM
would give and a row written here equals what ``save()`` would store. Everything else uses the ORM.

Statements run on the cursor passed in (``django.db.connection.cursor()``), so they join the caller's
transaction like any ORM query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]
_Reader = list[tuple[str, Any, list[Converter]]]
#: Statement texts kept per table; beyond this, rarer shapes are rebuilt each time.
MAX_SHAPES = 256


_SQL: dict[tuple[str, str], str] = {}


def cached_sql(key: str, build: Callable[[], str]) -> str:
    """SQL text built once per database vendor (e.g. a join of two :class:`Table` s) under ``key``."""
    sql = _SQL.get((connection.vendor, key))
    if sql is None:
        sql = _SQL[(connection.vendor, key)] = build()
    return sql


class Table(Generic[M]):
    """One model's table. ``fields``: the attnames a SELECT reads (default: every concrete field)."""

    def __init__(self, model: type[M], fields: Sequence[str] | None = None) -> None:
        self.model = model
        self._by_attname: dict[str, Field[Any, Any]] = {f.attname: f for f in model._meta.concrete_fields}
        self.attnames = list(fields) if fields else list(self._by_attname)
        # Values that ``get_db_prep_save`` returns unchanged on every backend: skip the call (it runs for
        # each column of each statement). JSON, dates, times, UUIDs and decimals always go through it.
        self._plain: dict[str, tuple[type, ...]] = {}
        for attname, f in self._by_attname.items():
            target = f.target_field if isinstance(f, models.ForeignKey) else f
            if isinstance(target, models.BooleanField):
                self._plain[attname] = (bool, type(None))
            elif isinstance(target, models.IntegerField | models.AutoField):
                self._plain[attname] = (int, type(None))
            elif isinstance(target, models.CharField | models.TextField):
                self._plain[attname] = (str, type(None))
            elif isinstance(target, models.FloatField):
                self._plain[attname] = (float, type(None))
        self._sql: dict[tuple[Any, ...], str] = {}
        self._readers: dict[str, _Reader] = {}

    # -- SQL text, built once per vendor and shape -------------------------------------------------

    def _q(self, name: str) -> str:
        return connection.ops.quote_name(name)

    def column(self, attname: str) -> str:
        """The quoted column of ``attname``."""
        return self._q(self._by_attname[attname].column)

    @property
    def name(self) -> str:
        return self._q(self.model._meta.db_table)

    def _cached(self, key: tuple[Any, ...], build: Callable[[], str]) -> str:
        key = (connection.vendor, *key)
        sql = self._sql.get(key)
        if sql is None:
            sql = build()
            if len(self._sql) < MAX_SHAPES:  # UPDATEs of changed columns only have many shapes
                self._sql[key] = sql
        return sql

    @property
    def columns(self) -> str:
        """The read columns, table-qualified, for a SELECT list (see :meth:`from_db`)."""
        return self._cached(
            ("columns",), lambda: ", ".join(f"{self.name}.{self.column(a)}" for a in self.attnames)
        )

    def where(self, *attnames: str) -> str:
        """``col = %s AND …`` for the given attnames."""
        return self._cached(
            ("where", attnames), lambda: " AND ".join(f"{self.name}.{self.column(a)} = %s" for a in attnames)
        )

    # -- values ------------------------------------------------------------------------------------

    def _reader(self) -> _Reader:
        reader = self._readers.get(connection.vendor)
        if reader is None:
            reader = []
            for a in self.attnames:
                f = self._by_attname[a]
                col = f.get_col(self.model._meta.db_table)
                reader.append(
                    (a, col, connection.ops.get_db_converters(col) + f.get_db_converters(connection))
                )
            self._readers[connection.vendor] = reader
        return reader

    def from_db(self, row: Sequence[Any]) -> dict[str, Any]:
        """A row of :attr:`columns` (in order) as ``{attname: python value}``."""
        out = {}
        conn = connections[DEFAULT_DB_ALIAS]
        for value, (attname, col, convs) in zip(row, self._reader(), strict=True):
            for conv in convs:
                value = conv(value, col, conn)
            out[attname] = value
        return out

    def instance(self, values: Mapping[str, Any]) -> M:
        """A model instance as if loaded by the ORM (attnames not in ``values`` are deferred)."""
        names = [a for a in self._by_attname if a in values]
        return self.model.from_db(connection.alias, names, [values[a] for a in names])

    def prep(self, attname: str, value: Any) -> Any:
        """``value`` as the database takes it (the field's ``get_db_prep_save``)."""
        plain = self._plain.get(attname)
        if plain is not None and type(value) in plain:
            return value
        return self._by_attname[attname].get_db_prep_save(value, connections[DEFAULT_DB_ALIAS])

    # -- statements ---------------------------------------------------------------------------------

    def select_one(self, cursor: Any, where: Sequence[str], params: Sequence[Any]) -> dict[str, Any] | None:
        """The first row whose ``where`` attnames equal ``params`` (Python values, prepared here)."""
        sql = self._cached(
            ("select", tuple(where)),
            lambda: f"SELECT {self.columns} FROM {self.name} WHERE {self.where(*where)}",
        )
        cursor.execute(sql, [self.prep(a, v) for a, v in zip(where, params, strict=True)])
        row = cursor.fetchone()
        return None if row is None else self.from_db(row)

    def select_in(
        self, cursor: Any, where: Sequence[str], params: Sequence[Any], attname: str, values: Sequence[Any]
    ) -> list[dict[str, Any]]:
        """The rows whose ``where`` attnames equal ``params`` and whose ``attname`` is one of ``values``
        (all Python values, prepared here)."""
        sql = self._cached(
            ("select_in", tuple(where), attname, len(values)),
            lambda: (
                f"SELECT {self.columns} FROM {self.name} WHERE {self.where(*where)} AND "
                f"{self.name}.{self.column(attname)} IN ({', '.join(['%s'] * len(values))})"
            ),
        )
        prepped = [self.prep(a, v) for a, v in zip(where, params, strict=True)]
        cursor.execute(sql, [*prepped, *(self.prep(attname, v) for v in values)])
        return [self.from_db(r) for r in cursor.fetchall()]

    def insert(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        """INSERT ``{attname: value}``; returns the new primary key."""
        names = tuple(values)

        def build() -> str:
            cols = ", ".join(self.column(a) for a in names)
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {self.name} ({cols}) VALUES ({marks})"
            if connection.features.can_return_columns_from_insert:
                sql += f" RETURNING {self._q(self.model._meta.pk.column)}"
            return sql

        cursor.execute(self._cached(("insert", names), build), [self.prep(a, values[a]) for a in names])
        if connection.features.can_return_columns_from_insert:
            return cursor.fetchone()[0]
        return cursor.lastrowid  # pragma: no cover - SQLite < 3.35 only

    def update(
        self, cursor: Any, values: Mapping[str, Any], where: Mapping[str, Any], *, raw_sets: str = ""
    ) -> int:
        """UPDATE the rows whose ``where`` attnames equal the values given; returns the row count.
        ``raw_sets``: an extra ``col = expression`` (text without parameters), e.g. a counter increment."""
        names, keys = tuple(values), tuple(where)

        def build() -> str:
            sets = [f"{self.column(a)} = %s" for a in names] + ([raw_sets] if raw_sets else [])
            return f"UPDATE {self.name} SET {', '.join(sets)} WHERE " + " AND ".join(
                f"{self.column(a)} = %s" for a in keys
            )

        params = [self.prep(a, values[a]) for a in names] + [self.prep(a, where[a]) for a in keys]
        cursor.execute(self._cached(("update", names, keys, raw_sets), build), params)
        return int(cursor.rowcount)

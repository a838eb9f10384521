# ruff: noqa: S608 -- identifiers come from model metadata, quoted by the backend; values are parameters.
"""Model-shaped SELECTs for the few hot reads where the ORM's per-query cost matters. Reads only.

Building and compiling a queryset costs 0.1–0.4 ms of CPU per query (more on a busy machine), before the
database does anything. :class:`Table` writes a SELECT once per model, statement shape and database vendor
from the model's own metadata (table, columns, the backend's quoting) and converts values with each
field's own database converters, so a row read here equals what the ORM would give. Every write goes
through the ORM (``save()``, ``update()``), so its rules (a record's clinic following its patient,
``auto_now``, append-only audit rows) hold. Measured in docs/benchmarks.md ("Diary save: raw SQL or the
ORM"): with the diary save's statements through the ORM instead, saves ran 6-8x slower under 50 clients.

There is no free SQL text here: callers name models, attnames and values, never SQL. Statements run on the
cursor passed in (``django.db.connection.cursor()``), so they join the caller's transaction.
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
            if len(self._sql) < MAX_SHAPES:  # IN lists of every length are many shapes
                self._sql[key] = sql
        return sql

    @property
    def columns(self) -> str:
        """The read columns, table-qualified, for a SELECT list (see :meth:`from_db`)."""
        return self._cached(
            ("columns",), lambda: ", ".join(f"{self.name}.{self.column(a)}" for a in self.attnames)
        )

    def where(self, *attnames: str, nulls: Sequence[bool] = ()) -> str:
        """``col = %s AND …`` for the given attnames (``col IS NULL`` where ``nulls`` says so)."""
        nulls = tuple(nulls) or (False,) * len(attnames)
        return self._cached(
            ("where", attnames, nulls),
            lambda: " AND ".join(
                f"{self.name}.{self.column(a)} " + ("IS NULL" if null else "= %s")
                for a, null in zip(attnames, nulls, strict=True)
            ),
        )

    def _params(self, attnames: Sequence[str], values: Sequence[Any]) -> tuple[tuple[bool, ...], list[Any]]:
        """Which values are None (``IS NULL``), and the others prepared for the database."""
        nulls = tuple(v is None for v in values)
        return nulls, [self.prep(a, v) for a, v in zip(attnames, values, strict=True) if v is not None]

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
        """The first row whose ``where`` attnames equal ``params`` (Python values, prepared here; None
        matches NULL)."""
        nulls, prepped = self._params(where, params)
        sql = self._cached(
            ("select", tuple(where), nulls),
            lambda: f"SELECT {self.columns} FROM {self.name} WHERE {self.where(*where, nulls=nulls)}",
        )
        cursor.execute(sql, prepped)
        row = cursor.fetchone()
        return None if row is None else self.from_db(row)

    def select_joined(
        self,
        cursor: Any,
        where: Sequence[str],
        params: Sequence[Any],
        other: Table[Any],
        on: tuple[str, str],
        *,
        other_where: Sequence[str] = (),
        other_params: Sequence[Any] = (),
        outer: bool = False,
    ) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """The first row of this table matching ``where``/``params`` with the ``other`` table's row whose
        ``on[1]`` equals this row's ``on[0]`` (and whose ``other_where`` attnames equal ``other_params``),
        in one statement. ``outer``: keep this row when the other has none (then its part is None).
        None when this table has no matching row."""
        nulls, prepped = self._params(where, params)
        other_nulls, other_prepped = other._params(other_where, other_params)

        def build() -> str:
            cond = f"{other.name}.{other.column(on[1])} = {self.name}.{self.column(on[0])}"
            if other_where:
                cond += " AND " + other.where(*other_where, nulls=other_nulls)
            join = "LEFT JOIN" if outer else "INNER JOIN"
            return (
                f"SELECT {self.columns}, {other.columns} FROM {self.name} {join} {other.name} ON {cond} "
                f"WHERE {self.where(*where, nulls=nulls)}"
            )

        key = (
            "joined",
            tuple(where),
            nulls,
            other.model._meta.label,
            on,
            tuple(other_where),
            other_nulls,
            outer,
        )
        cursor.execute(self._cached(key, build), [*other_prepped, *prepped])
        row = cursor.fetchone()
        if row is None:
            return None
        n = len(self.attnames)
        theirs = row[n:]
        # A LEFT JOIN without a match gives NULL for every column, the primary key included.
        missing = outer and theirs[other.attnames.index(other.model._meta.pk.attname)] is None
        return self.from_db(row[:n]), None if missing else other.from_db(theirs)

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

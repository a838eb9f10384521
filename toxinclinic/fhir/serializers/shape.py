"""A resource built from plain column values, so one builder serves a model instance (a read by id) and a
raw database row (search pages and the Bulk Data export, where the ORM's per-row work was most of the
time: model instances, field converters, ``uuid.UUID`` objects only to be turned back into text).

A :class:`Shape` names the ORM paths a builder reads, in its parameter order. Rows are read with
``values_list`` compiled by the ORM (so the clinic scope, the filters and the keyset bound stay ORM
queries) and executed on the cursor directly; each column is then made JSON-ready once, by its field's
kind: a UUID as its text, a datetime as a FHIR instant (UTC, seconds), a date as ISO text. Both backends
give the same text: SQLite keeps a UUID as 32 hex digits and a datetime as naive UTC, PostgreSQL's driver
gives ``uuid.UUID`` and aware datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import QuerySet

Builder = Callable[..., Any]


def uuid_text(value: Any) -> str:
    if isinstance(value, str):
        # SQLite stores a UUIDField as its 32 hex digits.
        if len(value) == 32:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        return value
    return str(value)


def instant_text(value: dt.datetime) -> str:
    """A FHIR instant in UTC to the second. A naive value is UTC (SQLite with ``USE_TZ``)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="seconds")[:19] + "Z"


def day_text(value: dt.date) -> str:
    return value.isoformat()


def _converter(f: Any) -> Callable[[Any], Any] | None:
    if isinstance(f, models.UUIDField):
        return uuid_text
    if isinstance(f, models.DateTimeField):  # before DateField: a DateTimeField is one
        return instant_text
    if isinstance(f, models.DateField):
        return day_text
    return None


def _field(model: type[models.Model], path: str) -> Any:
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    last = parts[-1]
    return model._meta.pk if last == "pk" else model._meta.get_field(last)


class RawRow:
    """A row read through a shape: its key, its patient's key (for the audit) and the builder's values."""

    __slots__ = ("patient_id", "pk", "vals")

    def __init__(self, pk: int, patient_id: int | None, vals: list[Any]) -> None:
        self.pk = pk
        self.patient_id = patient_id
        self.vals = vals


@dataclass(frozen=True)
class Shape:
    """``build(*values)`` returns one resource, or a list of them when ``many``."""

    model: type[models.Model]
    columns: tuple[str, ...]
    build: Builder
    many: bool = False
    _convs: tuple[tuple[int, Callable[[Any], Any]], ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        convs = []
        for i, path in enumerate(self.columns):
            c = _converter(_field(self.model, path))
            if c is not None:
                convs.append((i, c))
        object.__setattr__(self, "_convs", tuple(convs))

    def _ready(self, vals: list[Any]) -> list[Any]:
        for i, conv in self._convs:
            v = vals[i]
            if v is not None:
                vals[i] = conv(v)
        return vals

    def expand(self, vals: Sequence[Any]) -> list[dict[str, Any]]:
        out = self.build(*vals)
        return out if self.many else [out]

    def of(self, obj: Any) -> list[dict[str, Any]]:
        """The resources of a model instance (its relations on the paths joined or loadable)."""
        vals = []
        for path in self.columns:
            v = obj
            for part in path.split("__"):
                v = None if v is None else getattr(v, part)
            vals.append(v)
        return self.expand(self._ready(vals))

    def fetch(self, qs: QuerySet[Any], patient_path: str) -> list[RawRow]:
        """The rows of ``qs`` (filtered, ordered, sliced by the caller) as :class:`RawRow`."""
        q = qs.values_list("pk", patient_path, *self.columns)
        try:
            sql, params = q.query.get_compiler(q.db).as_sql()
        except EmptyResultSet:  # e.g. ``patient_id IN ()``: nothing can match
            return []
        with connections[q.db].cursor() as cur:
            cur.execute(sql, params)
            raw = cur.fetchall()
        convs = self._convs
        out = []
        for r in raw:  # the export's inner loop: _ready inlined
            vals = list(r[2:])
            for i, conv in convs:
                v = vals[i]
                if v is not None:
                    vals[i] = conv(v)
            out.append(RawRow(r[0], r[1], vals))
        return out

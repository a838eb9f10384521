"""Read by id, search and paging over ``resources.TYPES``.

Paging is keyset paging: rows in primary-key order within each source, the next page starting after the
last row (and sub-resource) sent, never an OFFSET. The position travels in ``_cursor``, signed so a client
can neither read nor forge it (it holds row keys, which are not public ids).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import Count, Q, QuerySet

from toxinclinic.accounts.models import Clinic
from toxinclinic.audit.models import AuditEvent
from toxinclinic.core.rawsql import Table
from toxinclinic.fhir.outcome import FhirError
from toxinclinic.fhir.resources import TYPES, FhirType, Source
from toxinclinic.fhir.serializers import admin
from toxinclinic.fhir.smart import Grant
from toxinclinic.patients.models import Patient

DEFAULT_COUNT = 50
MAX_COUNT = 500
CONTROL = frozenset({"_count", "_format", "_summary", "_include", "_cursor"})
_DATE = re.compile(
    r"^(eq|ge|le|gt|lt)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
_SALT = "toxinclinic.fhir.page"


def fhir_type(name: str) -> FhirType:
    t = TYPES.get(name)
    if t is None:
        raise FhirError(404, "not-supported", f"{name} is not a resource type this server supports.")
    return t


def scope_q(src: Source, grant: Grant) -> Q:
    """The grant's clinic (and, for a patient's token, that patient) as a filter on ``src``."""
    q = Q(**{src.clinic: grant.clinic_id})
    if grant.patient_id is not None and src.patient is not None:
        q &= Q(pk=grant.patient_id) if src.patient == "" else Q(**{f"{src.patient}_id": grant.patient_id})
    return q


def scoped(src: Source, grant: Grant) -> QuerySet[Any]:
    return src.queryset().filter(scope_q(src, grant))


def read_row(type_name: str, rid: str, grant: Grant) -> tuple[dict[str, Any], Any]:
    """One resource by id and its row, or 404 (unknown here, never a hint it exists elsewhere) / 410
    (deleted)."""
    t = fhir_type(type_name)
    if type_name == "Patient":
        p = _read_patient(rid, grant)
        if p is not None:
            return admin.patient(p), p
    for src in t.sources:
        q = src.lookup(rid)
        if q is None:
            continue
        for row in src.fetch(scoped(src, grant).filter(q)[:1]):
            for res in src.expand(row):
                if res["id"] == rid:
                    return res, row
    if _deleted(rid, grant):
        raise FhirError(410, "deleted", f"{type_name}/{rid} was deleted.")
    raise FhirError(404, "not-found", f"{type_name}/{rid} is not known to this server.")


_PATIENTS = Table(Patient)
_CLINICS = Table(Clinic)


def _read_patient(rid: str, grant: Grant) -> Patient | None:
    """Patient by id in the grant's clinic (and patient), with its clinic: one model-shaped SELECT
    (core.rawsql), the hot read. The row equals what ``scoped(...).select_related("clinic")`` gives."""
    try:
        u = uuid.UUID(rid)
    except ValueError:
        return None
    with connection.cursor() as cur:
        found = _PATIENTS.select_joined(
            cur, ["public_id", "clinic_id"], [u, grant.clinic_id], _CLINICS, ("clinic_id", "id")
        )
    if found is None or (grant.patient_id is not None and found[0]["id"] != grant.patient_id):
        return None
    patient = _PATIENTS.instance(found[0])
    patient.clinic = _CLINICS.instance(found[1])  # as select_related("clinic") would
    return patient


def _deleted(rid: str, grant: Grant) -> bool:
    m = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", rid)
    if not m:
        return False
    return AuditEvent.objects.filter(
        clinic_id=grant.clinic_id, object_id=m.group(0), action__contains="delete"
    ).exists()


@dataclass
class Query:
    """A parsed search: a filter per source (None = the source can match nothing)."""

    type: FhirType
    filters: list[Q | None]
    count: int
    summary_count: bool
    include_patient: bool
    cursor: tuple[int, int, int] | None


def _bound(value: str) -> tuple[str, Any, Any, bool]:
    """(prefix, lower, upper, has_time) of a FHIR date value at its own precision."""
    m = _DATE.match(value)
    if not m:
        raise FhirError(400, "invalid", f"Date {value!r} is not a FHIR date (e.g. ge2026-01-31).")
    prefix, y, mo, d, hh, mi, ss, tz = m.groups()
    prefix = prefix or "eq"
    try:
        if hh is not None:
            zone = dt.UTC if tz in (None, "Z") else dt.datetime.strptime(tz, "%z").tzinfo
            lo = dt.datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), tzinfo=zone)
            return prefix, lo, lo + dt.timedelta(seconds=1), True
        if d is not None:
            lo_d = dt.date(int(y), int(mo), int(d))
            return prefix, lo_d, lo_d + dt.timedelta(days=1), False
        if mo is not None:
            lo_d = dt.date(int(y), int(mo), 1)
            nxt = dt.date(int(y) + (int(mo) == 12), int(mo) % 12 + 1, 1)
            return prefix, lo_d, nxt, False
        return prefix, dt.date(int(y), 1, 1), dt.date(int(y) + 1, 1, 1), False
    except ValueError as exc:
        raise FhirError(400, "invalid", f"Date {value!r} is not a real date.") from exc


def _date_q(field: str, value: str, is_datetime: bool) -> Q:
    prefix, lo, hi, has_time = _bound(value)
    if is_datetime and not has_time:
        lo = dt.datetime.combine(lo, dt.time(), dt.UTC)
        hi = dt.datetime.combine(hi, dt.time(), dt.UTC)
    elif not is_datetime and has_time:
        lo, hi = lo.date(), (hi - dt.timedelta(microseconds=1)).date() + dt.timedelta(days=1)
    return {
        "eq": Q(**{f"{field}__gte": lo, f"{field}__lt": hi}),
        "ge": Q(**{f"{field}__gte": lo}),
        "gt": Q(**{f"{field}__gte": hi}),
        "le": Q(**{f"{field}__lt": hi}),
        "lt": Q(**{f"{field}__lt": lo}),
    }[prefix]


@functools.cache
def _is_datetime(src: Source, field: str) -> bool:
    model = src.queryset().model
    return model._meta.get_field(field).get_internal_type() == "DateTimeField"


def _patient_ids(value: str) -> list[uuid.UUID]:
    out = []
    for part in value.split(","):
        part = part.removeprefix("Patient/")
        try:
            out.append(uuid.UUID(part))
        except ValueError as exc:
            raise FhirError(400, "invalid", f"patient={part!r} is not a Patient id.") from exc
    return out


_PATIENT_KEYS = Table(Patient, ["id"])


def _patient_keys(ids: list[uuid.UUID]) -> list[int]:
    """Patient ids to row keys: a model-shaped SELECT each (core.rawsql; a search names one or a few),
    not an ORM query compiled per search. The clinic scope is applied by each source's query."""
    with connection.cursor() as cur:
        found = [_PATIENT_KEYS.select_one(cur, ["public_id"], [u]) for u in ids]
    return [f["id"] for f in found if f is not None]


def parse(type_name: str, params: Any) -> Query:
    """Turn the query string into per-source filters. Unknown parameters and bad values are a 400."""
    t = fhir_type(type_name)
    filters: list[Q | None] = [Q() for _ in t.sources]

    def narrow(i: int, q: Q | None) -> None:
        if filters[i] is not None:
            filters[i] = None if q is None else filters[i] & q

    patient_pks: dict[str, list[int]] = {}
    for name in params:
        base = name.split(":", 1)[0]
        if name in CONTROL:
            continue
        if base not in t.params or base != name:
            raise FhirError(
                400, "not-supported", f"{type_name} does not support the search parameter {name!r}."
            )
        for value in params.getlist(name):
            if value == "":
                raise FhirError(400, "invalid", f"{name} has no value.")
            for i, src in enumerate(t.sources):
                if name == "_id":
                    qs = [src.lookup(v) for v in value.split(",")]
                    qs = [q for q in qs if q is not None]
                    narrow(i, _any(qs))
                elif name == "patient":
                    # Patient ids to row keys once, so each source filters on its indexed patient column.
                    if value not in patient_pks:
                        patient_pks[value] = _patient_keys(_patient_ids(value))
                    narrow(i, Q(**{f"{src.patient}_id__in": patient_pks[value]}))
                elif name == "date":
                    narrow(i, _date_q(src.date, value, _is_datetime(src, src.date)) if src.date else None)
                elif name == "_lastUpdated":
                    narrow(
                        i,
                        _date_q(src.updated, value, _is_datetime(src, src.updated)) if src.updated else None,
                    )
                elif name == "code":
                    found = []
                    for token in value.split(","):
                        system, _, code = token.rpartition("|")
                        q = src.codes(system or None, code) if src.codes else None
                        if q is not None:
                            found.append(q)
                    narrow(i, _any(found))
    count = DEFAULT_COUNT
    if "_count" in params:
        try:
            count = int(params["_count"])
        except ValueError as exc:
            raise FhirError(400, "invalid", "_count must be a whole number.") from exc
        if not 0 <= count <= MAX_COUNT:
            raise FhirError(400, "invalid", f"_count must be between 0 and {MAX_COUNT}.")
    summary = params.get("_summary")
    if summary not in (None, "count", "false"):
        raise FhirError(400, "not-supported", "_summary supports only count (and false).")
    includes = params.getlist("_include")
    for inc in includes:
        if inc not in (f"{type_name}:patient", f"{type_name}:subject", "*") or type_name == "Patient":
            raise FhirError(
                400, "not-supported", f"_include={inc} is not supported; use {type_name}:patient."
            )
    cursor = None
    if "_cursor" in params:
        try:
            s, pk, n = signing.loads(params["_cursor"], salt=_SALT)
            cursor = (int(s), int(pk), int(n))
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise FhirError(400, "invalid", "The paging link is not valid; start the search again.") from exc
    return Query(t, filters, count or 0, summary == "count" or count == 0, bool(includes), cursor)


def _any(qs: list[Q]) -> Q | None:
    if not qs:
        return None
    out = qs[0]
    for q in qs[1:]:
        out |= q
    return out


def batches(
    query: Query, grant: Grant, start: tuple[int, int, int] | None = None, chunk: int = 200
) -> Iterator[tuple[int, Source, list[Any]]]:
    """The matching rows in keyset order from the row of ``start`` on, a page of ``chunk`` rows at a
    time, as (source index, source, rows)."""
    s0, pk0, _ = start or (0, 0, -1)
    for si in range(s0, len(query.type.sources)):
        flt = query.filters[si]
        if flt is None:
            continue
        src = query.type.sources[si]
        # One filter() per page (scope, search, keyset bound together): each filter() and clone is ORM
        # work paid on every search, and a search reads a page from each of a type's sources.
        where = scope_q(src, grant) & flt
        base = src.queryset()
        lo = pk0 if si == s0 else 0
        while True:
            batch = src.fetch(base.filter(where, pk__gte=lo).order_by("pk")[:chunk])
            if batch:
                yield si, src, batch
            if len(batch) < chunk:
                break
            lo = batch[-1].pk + 1


def rows(
    query: Query, grant: Grant, start: tuple[int, int, int] | None = None, chunk: int = 200
) -> Iterator[tuple[tuple[int, int, int], Any, dict[str, Any]]]:
    """Every matching resource as (position, row, resource), in keyset order from after ``start``."""
    s0, pk0, n0 = start or (0, 0, -1)
    for si, src, batch in batches(query, grant, start, chunk):
        for row in batch:
            for n, res in enumerate(src.expand(row)):
                if si == s0 and row.pk == pk0 and n <= n0:
                    continue
                yield (si, row.pk, n), row, res


def total(query: Query, grant: Grant) -> int:
    n = 0
    for src, flt in zip(query.type.sources, query.filters, strict=True):
        if flt is None:
            continue
        qs = scoped(src, grant).filter(flt)
        if src.key == "administration":  # one resource per injection site
            n += qs.aggregate(n=Count("sites"))["n"] or 0
        else:  # a diary month is two Observations (headache days, migraine days)
            n += qs.count() * (2 if src.key == "diary_month" else 1)
    return n


def page(query: Query, grant: Grant) -> tuple[list[tuple[Any, dict[str, Any]]], str | None]:
    """Up to ``query.count`` (row, resource) pairs and the next page's cursor (None on the last page)."""
    out: list[tuple[Any, dict[str, Any]]] = []
    last = None
    for pos, row, res in rows(query, grant, query.cursor, chunk=query.count + 1):
        if len(out) == query.count:
            return out, signing.dumps(list(last), salt=_SALT, compress=True)
        out.append((row, res))
        last = pos
    return out, None


def patients_of(pks: list[int | None], grant: Grant) -> list[dict[str, Any]]:
    """The Patient resources for ``_include``: one query for the page's patients."""
    src = TYPES["Patient"].sources[0]
    wanted = {p for p in pks if p is not None}
    return [admin.patient(p) for p in scoped(src, grant).filter(pk__in=wanted).order_by("pk")]

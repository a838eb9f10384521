"""Leak detection for the authorization sweep: what a response shows, and what it must not.

Clinic A's patients in the sweep's world carry distinctive facts (names, dates of birth, MRNs, phone
numbers, e-mail addresses, the text of their records); a leak is one of those strings in anything an
outsider gets back: the body (HTML, JSON, CSV, a calendar file, the text of a PDF), the ``Location`` of a
redirect, a download's file name. ``test_authz_matrix`` plants one of each kind to prove this finds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

#: Record text seeded into the target patients' records (notes, allergies, messages, …): a leak of any
#: record's words is found by this prefix.
MARK = "Qzmark"
#: The words seeded into the first and second patient's records (the sweep's targets).
MARK_ADA, MARK_GRACE = f"{MARK}-ada", f"{MARK}-grace"


def date_forms(d: dt.date) -> list[str]:
    """Every way a screen, a CSV, JSON or a PDF writes a date of birth."""
    return [
        d.isoformat(),
        f"{d:%m/%d/%Y}",
        f"{d.month}/{d.day}/{d.year}",
        f"{d:%B} {d.day}, {d.year}",
        f"{d:%b} {d.day}, {d.year}",
        f"{d:%b}. {d.day}, {d.year}",
        f"{d.day} {d:%B} {d.year}",
        f"{d.day} {d:%b} {d.year}",
        f"{d:%Y%m%d}",
    ]


@dataclass(frozen=True)
class Facts:
    """One patient's identifying facts (``pk`` for the audit and state checks)."""

    pk: int
    label: str
    markers: tuple[str, ...]


def patient_facts(patient: Any, record_text: Iterable[str] = ()) -> Facts:
    digits = "".join(c for c in patient.phone if c.isdigit())
    markers = [
        patient.last_name,
        f"{patient.first_name} {patient.last_name}",
        patient.mrn,
        patient.email,
        *date_forms(patient.date_of_birth),
        *([patient.phone, digits[-7:], f"{digits[-7:-4]}-{digits[-4:]}"] if digits else []),
        *record_text,
    ]
    return Facts(patient.pk, patient.full_name, tuple(m for m in dict.fromkeys(markers) if m))


def pdf_text(data: bytes) -> str:
    """The text of a PDF (pdftotext, as the note PDF's own tests read it); the fonts' subsets keep the
    words out of the raw bytes."""
    exe = shutil.which("pdftotext")
    if exe is None:  # pragma: no cover - the test image has poppler-utils
        raise RuntimeError("pdftotext is needed to read PDFs for leaks (poppler-utils)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run([exe, "-q", fh.name, "-"], capture_output=True, check=False)
    return out.stdout.decode(errors="replace")


def response_text(response: Any) -> str:
    """Everything a response tells its reader, as text: headers (Location, Content-Disposition, …) and
    the body, a streamed file joined and a PDF's text extracted."""
    parts = [f"{k}: {unquote(v)}" for k, v in response.items()]
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    ctype = response.get("Content-Type", "")
    if data[:5] == b"%PDF-" or "pdf" in ctype:
        parts.append(pdf_text(data))
    parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def leaks(text: str, facts: Iterable[Facts], sent: str = "") -> list[str]:
    """``facts`` found in ``text`` (case-insensitive), as "label: marker"; a marker the request itself
    carried (``sent``: its URL and body) is an echo, not a leak, and is not looked for."""
    low, sent_low = text.lower(), sent.lower()
    found = []
    for f in facts:
        for m in f.markers:
            ml = m.lower()
            if ml not in sent_low and ml in low:
                found.append(f"{f.label}: {m!r}")
    return found


# --- database state ------------------------------------------------------------------------------------

#: Rows a refused request may legitimately touch: the sign-in session, login throttling, a bearer token's
#: "last used" time, and the audit trail (checked on its own: no new event about the target patients).
NOISE_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "accounts_apitoken"}


def _tables() -> list[tuple[str, list[str], str]]:
    from django.apps import apps

    out = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in NOISE_TABLES:
            continue
        if meta.db_table == "audit_auditevent":
            continue
        cols = [f.column for f in meta.concrete_fields]
        out.append((meta.db_table, cols, meta.pk.column))
    return sorted(set((t, tuple(c), p) for t, c, p in out))  # type: ignore[misc]


def fingerprint(patient_pks: Iterable[int] | None = None) -> dict[str, tuple[int, str]]:
    """Per table, its row count and a hash of its rows. With ``patient_pks``: only the rows about those
    patients (their patient row and every row whose ``patient_id`` is one of them)."""
    from django.db import connection

    pks = sorted(patient_pks) if patient_pks is not None else None
    out: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cur:
        qn = connection.ops.quote_name
        for table, cols, pk in _tables():
            where, params = "", []
            if pks is not None:
                if table == "patients_patient":
                    key = pk
                elif "patient_id" in cols:
                    key = "patient_id"
                else:
                    continue
                where = f" WHERE {qn(key)} IN ({', '.join(['%s'] * len(pks))})"
                params = pks
            # Names from the models' metadata, quoted; the only values are the bound patient ids.
            sql = f"SELECT {', '.join(qn(c) for c in cols)} FROM {qn(table)}{where} ORDER BY {qn(pk)}"  # noqa: S608
            cur.execute(sql, params)
            rows = cur.fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return [
        f"{t} rows {before[t][0]}->{after[t][0]}" if before[t][0] != after[t][0] else f"{t} rows changed"
        for t in before
        if before[t] != after.get(t)
    ]

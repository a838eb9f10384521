"""Presenting a signed note version (screen and PDF) from its frozen JSON content only, so an old version
always reads exactly as it was signed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toxinclinic.visits.mapsvg import map_context
from toxinclinic.visits.models import SignedNote


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def note_context(note: SignedNote) -> dict[str, Any]:
    c = note.content
    vials = [
        {
            **v,
            "expiry_date": _date(v["expiry"]),
            "reconstituted": _datetime(v.get("reconstituted_at")),
            "beyond_use": _datetime(v.get("beyond_use_at")),
        }
        for v in c.get("vials", [])
    ]
    consent = c.get("consent")
    if consent:
        consent = {**consent, "at_dt": _datetime(consent.get("at"))}
    return {
        "note": note,
        "c": c,
        "visit_date": _date(c["visit"]["date"]),
        "dob": _date(c["patient"]["date_of_birth"]),
        "screened_at": _datetime(c["screening"].get("at")),
        "consent": consent,
        "vials": vials,
        "recall_due": _date((c.get("recall") or {}).get("due")),
        "recall_opens": _date((c.get("recall") or {}).get("opens")),
        "hard_or_overridden": [f for f in c["findings"] if f["severity"] == "hard_stop"],
        "warnings": [f for f in c["findings"] if f["severity"] == "warning"],
        **map_context(c["sites"], c["findings"]),
    }

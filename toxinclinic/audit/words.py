"""The audit trail in words: "Triage item for Maya Hart: called back by Nia Roberts".

The stored events keep their codes (action, object type, field names, raw values) for the API and for
exports; this module only turns them into sentences for the screens, with names looked up in one query per
page and dates in the clinic's format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from toxinclinic.accounts import locale
from toxinclinic.accounts.models import Role
from toxinclinic.audit.models import AuditEvent

#: What the first part of an action names, where the code itself is not already the word.
SUBJECTS: dict[str, str] = {
    "api_token": "API token",
    "account": "Account",
    "chart": "Chart",
    "check_in": "Check-in",
    "diary": "Diary",
    "dose": "Dose check",
    "education": "Treatment page",
    "lot": "Vial lot",
    "note": "Visit note",
    "patient": "Patient record",
    "stock": "Stock count",
    "triage": "Triage item",
    "vial": "Vial",
    "vials": "Vials",
    "visit": "Visit",
    "history": "Medical history",
    "preventive": "Preventive trial",
}

#: Past-tense phrases for the second part of an action, read after the subject.
VERBS: dict[str, str] = {
    "2fa_enrolled": "two-step sign-in set up",
    "acknowledged": "acknowledged",
    "amended": "amended",
    "answered": "answered",
    "called_back": "called back",
    "changed": "changed",
    "closed": "closed",
    "consent_recorded": "consent recorded",
    "created": "created",
    "deleted": "deleted",
    "entry_created": "day recorded",
    "entry_replaced": "day changed",
    "injections_saved": "injections saved",
    "invited": "invited to the patient portal",
    "issued": "issued",
    "item_created": "raised",
    "opened": "opened",
    "page_created": "created",
    "page_published": "published",
    "page_updated": "changed",
    "password_set": "password set",
    "pdf": "PDF downloaded",
    "protocol_applied": "protocol applied",
    "provider_created": "provider added",
    "provider_updated": "provider changed",
    "recall_searched": "searched for recalled vials",
    "received": "received",
    "reconciled": "reconciled",
    "recorded": "recorded",
    "reported": "reported",
    "returned": "returned",
    "screened": "screening recorded",
    "signed": "signed",
    "stop_overridden": "hard stop overridden",
    "submitted": "submitted",
    "updated": "changed",
    "vial_added": "vial added",
    "vial_removed": "vial removed",
    "viewed": "opened",
}

#: What a staff read of a chart (``chart.viewed``) opened, by its ``data["what"]``.
READS: dict[str, str] = {"chart": "Chart", "diary": "Diary", "visits": "Visit list", "note": "Visit note"}

#: The dose check's rules (``clinical.dosing.RULES``) by name, for overrides kept in the trail.
DOSE_RULES: dict[str, str] = {
    "session_max": "Session maximum",
    "muscle_limit": "Maximum for one muscle",
    "site_limit": "Maximum for one site",
    "scm_limit": "Sternocleidomastoid maximum",
    "cumulative_3_month": "Total over three months",
    "min_interval": "Minimum interval between sessions",
    "other_product_recent": "Another toxin product given recently",
    "product_indication": "Product not indicated for this condition",
    "protocol_deviation": "Departure from the protocol",
    "vial_balance": "Vial balance",
    "dilution": "Dilution",
    "label_dose": "Labelled dose",
}

#: Fields the sentence already says (the record, its patient and clinic) or that are bookkeeping, not facts.
_NOT_SHOWN = {"id", "clinic", "patient", "public_id", "version", "created_at", "updated_at", "search_text"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _shown(name: str, fld: models.Field | None, values: Iterable[Any]) -> bool:
    """Whether a field belongs on the screen: ids, links to other rows and opaque ids stay in the data."""
    if name in _NOT_SHOWN or name.endswith("_id") or isinstance(fld, models.ForeignKey):
        return False
    return not any(isinstance(v, str) and _UUID.match(v) for v in values)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_IN_TEXT = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def words(code: str) -> str:
    """A code read aloud, for codes no table above names: "side_effect" -> "side effect"."""
    return code.replace("_", " ").replace(".", " ").strip()


def subject_of(action: str) -> str:
    head = action.split(".", 1)[0]
    return SUBJECTS.get(head) or words(head).capitalize()


def verb_of(action: str) -> str:
    tail = action.split(".", 1)[1] if "." in action else action
    return VERBS.get(tail) or words(tail)


def action_label(action: str) -> str:
    """The action as the filter lists it: "Triage item: called back"."""
    return f"{subject_of(action)}: {verb_of(action)}"


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except LookupError:
        return None


def value_words(value: Any, fld: models.Field | None = None, clinic: Any = None) -> str:
    """One stored value as a person reads it: a choice's label, a date in the clinic's format, Yes/No."""
    if value is None or value == "":
        return "—"
    if fld is not None and fld.choices:
        label = dict(fld.flatchoices).get(value)
        if label is not None:
            return str(label)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return locale.format_date(dt.date.fromisoformat(value), clinic)
        if _ISO_DATETIME.match(value):
            try:
                return locale.format_datetime(dt.datetime.fromisoformat(value), clinic)
            except ValueError:
                return value
        if _SNAKE.fullmatch(value):
            return words(value)  # a code stored as data, e.g. a dose rule: "min_interval" -> "min interval"
        # Engine messages kept in the trail quote dates as ISO; show them as the clinic writes dates.
        value = _ISO_IN_TEXT.sub(
            lambda m: locale.format_date(dt.date.fromisoformat(m.group(0)), clinic), value
        )
        return value if len(value) <= 160 else value[:157] + "…"
    if isinstance(value, list):
        if len(value) > 3 or any(isinstance(v, dict | list) for v in value):
            return f"{len(value)} entries"
        return ", ".join(value_words(v, None, clinic) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{words(str(k))} {value_words(v, None, clinic)}" for k, v in value.items()) or "—"
    return str(value)


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class EventWords:
    event: AuditEvent
    sentence: str
    actor_role: str
    changes: list[Change] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


def _field_label(model: type[models.Model] | None, name: str) -> tuple[str, models.Field | None]:
    if model is not None:
        try:
            f = model._meta.get_field(name)
        except Exception:
            f = None
        if isinstance(f, models.Field):
            return str(f.verbose_name).capitalize(), f
    return words(name).capitalize(), None


def _sentence(e: AuditEvent, patient_name: str | None) -> str:
    actor = e.actor_label if e.actor_label and e.actor_label != "system" else "the system"
    if e.action == "chart.viewed":
        what = READS.get(str((e.data or {}).get("what", "chart")), "Chart")
        whose = f" of {patient_name}" if patient_name else ""
        return f"{what}{whose}: opened by {actor}"
    head = e.action.split(".", 1)[0]
    subject = subject_of(e.action)
    model = _model(e.object_type)
    if head not in SUBJECTS and model is not None:
        subject = str(model._meta.verbose_name).capitalize()  # e.g. "allergy.created" -> "Allergy"
    if patient_name and head == "patient":
        return f"{subject} of {patient_name}: {verb_of(e.action)} by {actor}"
    whose = f" for {patient_name}" if patient_name else ""
    return f"{subject}{whose}: {verb_of(e.action)} by {actor}"


def describe(events: Iterable[AuditEvent], clinic: Any = None) -> list[EventWords]:
    """Each event as a sentence with its changes in words; patients' names are read in one query."""
    from toxinclinic.patients.models import Patient

    events = list(events)
    ids = {e.patient_id for e in events if e.patient_id}
    names = {
        p["id"]: f"{p['first_name']} {p['last_name']}"
        for p in Patient.objects.filter(pk__in=ids).values("id", "first_name", "last_name")
    }
    roles = dict(Role.choices)
    out = []
    for e in events:
        model = _model(e.object_type)
        changes = []
        for name, pair in (e.changes or {}).items():
            label, fld = _field_label(model, name)
            before, after = [*list(pair), None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
            changes.append(Change(label, value_words(before, fld, clinic), value_words(after, fld, clinic)))
        details = []
        if e.action != "chart.viewed":
            for k, v in (e.data or {}).items():
                label, fld = _field_label(model, str(k))
                if not _shown(str(k), fld, [v]):
                    continue
                if k == "rule" and v in DOSE_RULES:
                    details.append(("Rule", DOSE_RULES[v]))
                    continue
                details.append((label, value_words(v, fld, clinic)))
        out.append(
            EventWords(
                event=e,
                sentence=_sentence(e, names.get(e.patient_id) if e.patient_id else None),
                actor_role=str(roles.get(e.actor_role, words(e.actor_role).capitalize())),
                changes=changes,
                details=details,
            )
        )
    return out

"""Editing a draft visit: start it, change its own fields, record the screening and the consent.

Every edit goes through ``edit_draft``: the visit row is locked, a signed note is refused (an amendment
instead), a stale ``expected_version`` is a ``Conflict``, and the change is audited. Charting the sites is
in ``visits.charting``, the vials in ``visits.vials``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from toxinclinic.accounts.locale import format_datetime
from toxinclinic.accounts.models import Role
from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.clinical import billing, products, protocols
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.patients.models import Patient
from toxinclinic.visits.history import clinic_date
from toxinclinic.visits.models import Consent, Visit
from toxinclinic.visits.screening import clean_answers, screening_prefill


class NoteSigned(Conflict):
    """The visit is signed: its note is immutable; a correction is an amendment."""

    def __init__(self, visit: Visit) -> None:
        Exception.__init__(
            self,
            f"This visit's note was signed on {format_datetime(visit.signed_at, visit.clinic)} and "
            "cannot be edited. Add an amendment with a reason instead.",
        )
        self.current_version = visit.version


def aware(value: Any) -> Any:
    """A date-time without a UTC offset (an API client's, like the HTML form's) is the clinic's local
    time; comparing it with ``now`` as it came would fail."""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def edit_draft(
    visit: Visit, expected_version: int | None, *, actor: Any, action: str, apply: Callable[[Visit], Any]
) -> Visit:
    """Apply ``apply`` to the locked draft if nobody saved since ``expected_version``; audited."""
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
        if locked.is_signed:
            raise NoteSigned(locked)
        if expected_version is None:
            raise FieldError({"version": ["Send the version you loaded, so a stale save can be detected."]})
        if locked.version != expected_version:
            raise Conflict(locked.version)
        before = snapshot(locked)
        data = apply(locked)
        locked.version += 1
        locked.save()
        record_change(action, locked, before, actor=actor, data=data if isinstance(data, dict) else None)
    return locked


def before_birth(patient: Patient, day: dt.date) -> str | None:
    """The message when ``day`` is before the patient was born (a typo such as 0001 for 2025), else None."""
    if day < patient.date_of_birth:
        return (
            f"{day:%d %b} {day.year:04d} is before the patient's date of birth "
            f"({patient.date_of_birth:%d %b %Y})."
        )
    return None


def create_visit(
    patient: Patient,
    *,
    actor: Any,
    visit_date: dt.date,
    indication: str,
    product: str,
    location: Any = None,
) -> Visit:
    errors: dict[str, list[str]] = {}
    if indication not in products.INDICATIONS:
        errors["indication"] = [f"Choose one of: {', '.join(products.INDICATIONS)}."]
    if product not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    today = timezone.localdate()
    if visit_date > today:
        errors["visit_date"] = [
            f"A visit is documented on the day of treatment; {clinic_date(visit_date, patient.clinic)} "
            "is in the future."
        ]
    elif (born := before_birth(patient, visit_date)) is not None:
        errors["visit_date"] = [born]
    if location is not None and location.clinic_id != patient.clinic_id:
        errors["location"] = ["Choose one of your clinic's locations."]
    if errors:
        raise FieldError(errors)
    visit = Visit(
        clinic_id=patient.clinic_id,
        patient=patient,
        location=location,
        visit_date=visit_date,
        indication=indication,
        product=product,
        created_by=actor,
        nurse=actor if getattr(actor, "role", None) == Role.NURSE else None,
        clinician=actor if getattr(actor, "role", None) == Role.CLINICIAN else None,
    )
    with transaction.atomic():
        visit.save()
        record_change("visit.created", visit, None, actor=actor)
    return visit


def update_visit(visit: Visit, expected_version: int | None, *, actor: Any, **changes: Any) -> Visit:
    """Change the visit's own fields (product, indication, guidance, note text, location, date)."""
    allowed = {"product", "indication", "guidance", "notes", "location", "visit_date", "pain_side"}
    unknown = set(changes) - allowed
    if unknown:
        raise FieldError({k: ["This field cannot be changed here."] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if "product" in changes and changes["product"] not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    if "indication" in changes and changes["indication"] not in products.INDICATIONS:
        errors["indication"] = [f"Choose one of: {', '.join(products.INDICATIONS)}."]
    if "guidance" in changes and changes["guidance"] not in ("", *billing.GUIDANCE):
        errors["guidance"] = ["Choose none, emg or estim."]
    if "visit_date" in changes and changes["visit_date"] > timezone.localdate():
        errors["visit_date"] = ["The visit date cannot be in the future."]
    elif "visit_date" in changes and (born := before_birth(visit.patient, changes["visit_date"])):
        errors["visit_date"] = [born]
    loc = changes.get("location")
    if loc is not None and loc.clinic_id != visit.clinic_id:
        errors["location"] = ["Choose one of your clinic's locations."]
    if errors:
        raise FieldError(errors)

    def apply(v: Visit) -> dict[str, Any]:
        if "product" in changes and changes["product"] != v.product and v.vial_uses.exists():
            raise FieldError(
                {"product": ["Remove the vials recorded for this visit before changing product."]}
            )
        if "indication" in changes and changes["indication"] != v.indication and v.sites.exists():
            raise FieldError(
                {
                    "indication": [
                        "Remove the charted sites (or choose a template) before changing indication."
                    ]
                }
            )
        for k, value in changes.items():
            setattr(v, k, value)
        if v.protocol and protocols.get(v.protocol).indication != v.indication:
            v.protocol = ""
        return {}

    return edit_draft(visit, expected_version, actor=actor, action="visit.updated", apply=apply)


def save_screening(
    visit: Visit, expected_version: int | None, *, actor: Any, answers: Mapping[str, Any]
) -> Visit:
    """Store the screening when every question that applies is answered yes or no; otherwise refuse,
    naming each unanswered question, and store nothing. The sources kept are the chart's for the
    answers that agree with it."""
    clean, na = clean_answers(visit, answers)
    prefill = screening_prefill(visit)

    def apply(v: Visit) -> dict[str, Any]:
        now = timezone.now()
        v.screening = {
            "answers": clean,
            "not_applicable": na,
            "sources": {k: src for k, src in prefill.sources.items() if clean.get(k) is True},
            "at": now.isoformat(),
        }
        v.screened_by = actor
        v.screened_at = now
        if getattr(actor, "role", None) == Role.NURSE and v.nurse_id is None:
            v.nurse = actor
        return {"screening": clean, "not_applicable": na}

    return edit_draft(visit, expected_version, actor=actor, action="visit.screened", apply=apply)


#: No consent is recorded before this day, nor before the patient's birth (the earlier bound is for a
#: chart without a date of birth).
CONSENT_EARLIEST = dt.date(1900, 1, 1)


def save_consent(visit: Visit, expected_version: int | None, *, actor: Any, **data: Any) -> Visit:
    errors: dict[str, list[str]] = {}
    if not str(data.get("consenter_name") or "").strip():
        errors["consenter_name"] = ["Enter the name of the person who consented."]
    if data.get("consented_by") not in ("patient", "representative"):
        errors["consented_by"] = ["Choose the patient or a legal representative."]
    raw_at = data.get("consented_at")
    earliest = max(CONSENT_EARLIEST, visit.patient.date_of_birth or CONSENT_EARLIEST)
    if not isinstance(raw_at, dt.datetime):
        errors["consented_at"] = ["Enter the date and time consent was given."]
    elif raw_at.date() < earliest:
        # Checked before the time zone is applied: year 1 cannot be converted to UTC (an overflow).
        errors["consented_at"] = [
            f"Consent time {raw_at:%d %b %Y} is before the patient's date of birth ({earliest:%d %b %Y}); "
            "enter when consent was given."
            if earliest > CONSENT_EARLIEST
            else f"Consent time must be on or after {CONSENT_EARLIEST:%d %b %Y}."
        ]
    at = aware(raw_at)
    if "consented_at" not in errors and at > timezone.now() + dt.timedelta(minutes=5):
        errors["consented_at"] = ["Consent time cannot be in the future."]
    if errors:
        raise FieldError(errors)

    def apply(v: Visit) -> dict[str, Any]:
        consent = Consent.objects.filter(visit=v).first() or Consent(visit=v)
        for k in (
            "discussed_benefits",
            "discussed_common_effects",
            "discussed_serious_effects",
            "discussed_alternatives",
        ):
            setattr(consent, k, bool(data.get(k)))
        consent.consented_by = data["consented_by"]
        consent.consenter_name = str(data["consenter_name"]).strip()[:200]
        consent.consented_at = at
        consent.notes = str(data.get("notes") or "")[:500]
        consent.recorded_by = actor
        consent.save()
        return {"consent": snapshot(consent)}

    return edit_draft(visit, expected_version, actor=actor, action="visit.consent_recorded", apply=apply)

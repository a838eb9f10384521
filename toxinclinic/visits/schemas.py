"""The visit API's request and response schemas and the JSON builders the API and the frozen note share
(a visit, a charted site, the engine's findings and totals).

Units are the visit product's own U; every verdict in a payload is the engine's.
"""
# No "from __future__ import annotations": ninja reads the annotations at import time.

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field

from toxinclinic.clinical import anatomy, dosing, protocols
from toxinclinic.core.errors import FieldError
from toxinclinic.core.fields import REQUIRED_TEXT, checked_enum, model_choices
from toxinclinic.core.schemas import Schema
from toxinclinic.visits.charting import LAST_SESSION
from toxinclinic.visits.checks import dose_check
from toxinclinic.visits.models import (
    BillingLine,
    Consent,
    InjectionSite,
    OutsideInjection,
    SignedNote,
    Visit,
)
from toxinclinic.visits.screening import saved_not_applicable, screening_answers, screening_items

# --- request and response schemas -------------------------------------------------------------------


class VisitIn(Schema):
    patient: uuid.UUID
    visit_date: dt.date
    indication: model_choices(Visit, "indication")  # type: ignore[valid-type]
    product: model_choices(Visit, "product")  # type: ignore[valid-type]
    location: uuid.UUID | None = None


class VisitPatch(Schema):
    version: int = Field(..., description="The version you read; a stale one gets 409.")
    visit_date: dt.date | None = None
    indication: model_choices(Visit, "indication") | None = None  # type: ignore[valid-type]
    product: model_choices(Visit, "product") | None = None  # type: ignore[valid-type]
    guidance: model_choices(Visit, "guidance") | None = Field(None, description="'' is none")  # type: ignore[valid-type]
    notes: str | None = None
    location: uuid.UUID | None = None


class ScreeningIn(Schema):
    version: int
    answers: dict[str, bool | None] = Field(
        ...,
        description="Checklist key -> yes (true) / no (false). Every question that applies must be "
        "answered: a missing or null answer is refused (422, one message per question) and nothing is "
        "stored. Questions listed as not_applicable by GET may be left out.",
    )


class ConsentIn(Schema):
    version: int
    discussed_benefits: bool
    discussed_common_effects: bool
    discussed_serious_effects: bool
    discussed_alternatives: bool
    consented_by: model_choices(Consent, "consented_by") = "patient"  # type: ignore[valid-type]
    consenter_name: str = Field(..., max_length=200, json_schema_extra=REQUIRED_TEXT)
    consented_at: dt.datetime = Field(..., description="ISO 8601; without a UTC offset: clinic local time")
    notes: str = ""


class ProtocolIn(Schema):
    version: int
    protocol: checked_enum((*protocols.PROTOCOL_KEYS, LAST_SESSION)) = Field(  # type: ignore[valid-type]
        ..., description="An engine template key, or last_session (the patient's last signed session)"
    )
    pain_side: checked_enum(("left", "right", "both")) = Field(  # type: ignore[valid-type]
        "both", description="PREEMPT follow-the-pain side"
    )


class SiteIn(Schema):
    site_id: str = Field(..., max_length=60, json_schema_extra=REQUIRED_TEXT)
    muscle: model_choices(InjectionSite, "muscle")  # type: ignore[valid-type]
    side: model_choices(InjectionSite, "side")  # type: ignore[valid-type]
    units: Decimal = Field(..., description="U of the visit's product")
    follow_the_pain: bool = False


class InjectionsIn(Schema):
    version: int
    sites: list[SiteIn]


class CheckIn(Schema):
    sites: list[SiteIn] | None = Field(None, description="Draft sites to check; the saved sites if omitted.")


class VialUseIn(Schema):
    version: int
    vial: uuid.UUID
    diluent_ml: Decimal
    reconstituted_at: dt.datetime = Field(
        ..., description="ISO 8601; without a UTC offset: clinic local time"
    )
    units_administered: Decimal
    units_discarded: Decimal


class SignIn(Schema):
    version: int
    overrides: dict[str, str] = Field(
        default_factory=dict, description="Hard-stop rule -> the prescriber's reason (prescribers only)."
    )
    acknowledge_warnings: bool = False


class AmendIn(Schema):
    version: int
    reason: str
    notes: str


class OutsideIn(Schema):
    given_on: dt.date
    product: model_choices(OutsideInjection, "product")  # type: ignore[valid-type]
    units: Decimal = Field(
        ...,
        description="U of that product (not converted)",
        json_schema_extra={"exclusiveMinimum": 0, "maximum": 10000},  # checked by the service, in words
    )
    indication: model_choices(OutsideInjection, "indication")  # type: ignore[valid-type]
    where: str = Field(..., max_length=200, json_schema_extra=REQUIRED_TEXT)


class OutsideOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    given_on: dt.date
    product: str
    units: float
    indication: str
    where: str


class VisitRow(Schema):
    id: uuid.UUID = Field(alias="public_id")
    patient: uuid.UUID
    patient_name: str
    visit_date: dt.date
    indication: str
    product: str
    status: str
    version: int

    @staticmethod
    def resolve_patient(obj: Visit) -> uuid.UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_patient_name(obj: Visit) -> str:
        return obj.patient.full_name


class NoteVersionOut(Schema):
    version: int
    signed_at: dt.datetime
    signed_by: str
    amendment_reason: str
    content: dict[str, Any] | None = None


class BillingOut(Schema):
    visit: uuid.UUID
    visit_date: dt.date
    patient_name: str
    mrn: str
    code: str
    modifiers: list[str]
    units: int
    description: str

    @staticmethod
    def resolve_visit(obj: BillingLine) -> uuid.UUID:
        return obj.visit.public_id

    @staticmethod
    def resolve_visit_date(obj: BillingLine) -> dt.date:
        return obj.visit.visit_date

    @staticmethod
    def resolve_patient_name(obj: BillingLine) -> str:
        return obj.visit.patient.full_name

    @staticmethod
    def resolve_mrn(obj: BillingLine) -> str:
        return obj.visit.patient.mrn

    @staticmethod
    def resolve_modifiers(obj: BillingLine) -> list[str]:
        return [m for m in obj.modifiers.split(",") if m]


# --- JSON builders ----------------------------------------------------------------------------------


def totals_table(check: dosing.DoseCheck) -> list[dict[str, Any]]:
    """Per-muscle rows (left, right, midline, total) from the engine's totals, in anatomy order."""
    rows = []
    for muscle in anatomy.MUSCLES:
        if muscle not in check.units_by_muscle:
            continue
        by_side = check.units_by_muscle_side.get(muscle, {})
        rows.append(
            {
                "muscle": muscle,
                "label": anatomy.MUSCLE_LABELS[muscle],
                "left": by_side.get("left", 0.0),
                "right": by_side.get("right", 0.0),
                "midline": by_side.get("midline", 0.0),
                "total": check.units_by_muscle[muscle],
            }
        )
    return rows


def site_dict(s: InjectionSite) -> dict[str, Any]:
    """A charted site as JSON (the API and the frozen note): units in U, map point in the view's box."""
    return {
        "site_id": s.site_id,
        "label": s.label,
        "muscle": s.muscle,
        "side": s.side,
        "units": float(s.units),
        "follow_the_pain": s.follow_the_pain,
        "view": s.view,
        "x": s.x,
        "y": s.y,
    }


def finding_dict(f: dosing.Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "limit": f.limit,
        "value": f.value,
        "muscle": f.muscle,
        "side": f.side,
        "override_reason": f.override_reason,
    }


def check_payload(check: dosing.DoseCheck) -> dict[str, Any]:
    """What the live check returns: the engine's totals and findings, nothing computed here."""
    return {
        "ok": check.ok,
        "product": check.product,
        "total_units": check.total_units,
        "units_by_side": check.units_by_side,
        "by_muscle": totals_table(check),
        "hard_stops": [finding_dict(f) for f in check.hard_stops],
        "overridden": [finding_dict(f) for f in check.overridden],
        "warnings": [finding_dict(f) for f in check.warnings],
        "info": [finding_dict(f) for f in check.info],
    }


def visit_detail(visit: Visit) -> dict[str, Any]:
    """A visit as the API returns it: every step's record and, for a draft with sites, the live check."""
    consent = Consent.objects.filter(visit=visit).first()
    answers = screening_answers(visit)
    out: dict[str, Any] = {
        "id": str(visit.public_id),
        "patient": str(visit.patient.public_id),
        "patient_name": visit.patient.full_name,
        "visit_date": visit.visit_date.isoformat(),
        "indication": visit.indication,
        "product": visit.product,
        "protocol": visit.protocol,
        "pain_side": visit.pain_side,
        "guidance": visit.guidance,
        "notes": visit.notes,
        "status": visit.status,
        "version": visit.version,
        "location": str(visit.location.public_id) if visit.location_id else None,
        "nurse": visit.nurse.display_name if visit.nurse_id else None,
        "clinician": visit.clinician.display_name if visit.clinician_id else None,
        "screening": {
            "answers": answers,
            "not_applicable": saved_not_applicable(visit),
            "items": screening_items(visit, answers) if answers is not None else None,
            "screened_at": visit.screened_at.isoformat() if visit.screened_at else None,
        },
        "consent": {
            "discussed_benefits": consent.discussed_benefits,
            "discussed_common_effects": consent.discussed_common_effects,
            "discussed_serious_effects": consent.discussed_serious_effects,
            "discussed_alternatives": consent.discussed_alternatives,
            "consented_by": consent.consented_by,
            "consenter_name": consent.consenter_name,
            "consented_at": consent.consented_at.isoformat(),
            "complete": consent.complete,
        }
        if consent
        else None,
        "sites": [site_dict(s) for s in visit.sites.all()],
        "vials": [
            {
                "id": str(u.public_id),
                "vial": str(u.vial.public_id),
                "lot": u.vial.lot.lot_number,
                "expiry": u.vial.lot.expiry_date.isoformat(),
                "size_units": u.vial.size_units,
                "diluent_ml": float(u.vial.diluent_ml) if u.vial.diluent_ml is not None else None,
                "units_per_0_1_ml": u.vial.units_per_0_1_ml,
                "reconstituted_at": u.vial.reconstituted_at.isoformat() if u.vial.reconstituted_at else None,
                "beyond_use_at": u.vial.beyond_use_at.isoformat() if u.vial.beyond_use_at else None,
                "units_administered": float(u.units_administered),
                "units_discarded": float(u.units_discarded),
            }
            for u in visit.vial_uses.select_related("vial__lot")
        ],
        "billing": [
            {"code": b.code, "modifiers": [m for m in b.modifiers.split(",") if m], "units": b.units}
            for b in visit.billing_lines.all()
        ],
        "note_versions": [n.version for n in visit.notes_versions.all()],
    }
    if not visit.is_signed and visit.sites.exists():
        try:
            out["check"] = check_payload(dose_check(visit))
        except FieldError:
            out["check"] = None
    return out


def note_out(note: SignedNote, with_content: bool = False) -> dict[str, Any]:
    return {
        "version": note.version,
        "signed_at": note.signed_at,
        "signed_by": note.signed_by.display_name,
        "amendment_reason": note.amendment_reason,
        "content": note.content if with_content else None,
    }

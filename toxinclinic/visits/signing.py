"""Signing a visit and amending a signed note.

``review`` re-runs the screening and the dose check and lists what blocks signing; ``sign_visit`` checks
again on the server, freezes the note (version 1, ``visits.note_content``), stores the billing lines, marks
the vials used (``inventory.services``), sets the recall, audits, and sends ``visit_signed``, all in one
transaction.
An amendment is a new note version with a reason; earlier versions stay readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from toxinclinic.accounts.permissions import can_override_dose_stop, can_sign_visit
from toxinclinic.audit.services import log_action, record_change, snapshot
from toxinclinic.clinical import billing, dosing, screening
from toxinclinic.clinical._common import fmt_units
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.core.signals import visit_signed
from toxinclinic.inventory.services import mark_used
from toxinclinic.treatment.services import next_window
from toxinclinic.visits.checks import dose_check, engine_session
from toxinclinic.visits.drafts import NoteSigned
from toxinclinic.visits.history import history_sessions
from toxinclinic.visits.models import (
    BillingLine,
    Consent,
    DoseOverride,
    InjectionSite,
    SignedNote,
    VialUse,
    Visit,
    VisitStatus,
)
from toxinclinic.visits.note_content import note_content, person_name
from toxinclinic.visits.screening import SCREENING_KEYS, history_items, screening_answers, screening_items

#: Hard stops a prescriber cannot override: units administered beyond what the opened vials held is a
#: recording error (signing refuses it anyway, as the vials and the sites disagree), not a clinical choice.
NOT_OVERRIDABLE = frozenset({"vial_balance"})


def _clean_overrides(raw: Mapping[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for rule, reason in (raw or {}).items():
        if rule not in dosing.RULES:
            raise FieldError({"overrides": [f"{rule!r} is not a dose rule ({', '.join(dosing.RULES)})."]})
        if rule in NOT_OVERRIDABLE and str(reason or "").strip():
            raise FieldError(
                {
                    "overrides": [
                        f"{dosing.RULE_LABELS[rule]} cannot be overridden: correct the vials or the sites."
                    ]
                }
            )
        text = str(reason or "").strip()
        if text:
            out[rule] = text[:2000]
    return out


@dataclass(frozen=True)
class Review:
    """Everything a signer must see: the screening, the dose check and what still blocks signing."""

    items: list[dict[str, Any]]
    check: dosing.DoseCheck | None
    errors: dict[str, list[str]]
    warnings: list[str]
    sites: list[InjectionSite]
    uses: list[VialUse]
    consent: Consent | None


def review(
    visit: Visit, overrides: Mapping[str, str] | None = None, history: list[dosing.Session] | None = None
) -> Review:
    """Re-run screening and the dose check and list what blocks signing (no permission check here).
    ``history`` defaults to the patient's stored history (the demo generator passes what it holds)."""
    if history is None:
        history = history_sessions(visit.patient, exclude=visit)
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    answers = screening_answers(visit)
    items = screening_items(visit, answers, history) if answers is not None else history_items(visit, history)
    if answers is None:
        errors["screening"] = ["Screen the patient (the pre-injection checklist) before signing."]
    elif missing := [i for i in items if i["status"] == screening.UNANSWERED]:
        errors["screening"] = [f"Not answered: {i['question']}." for i in missing]
    for i in items:
        if i["status"] == screening.STOP and i["key"] in SCREENING_KEYS:
            errors.setdefault("screening", []).append(f"Stop: {i['reason']}")
        elif i["status"] == screening.CONCERN:
            warnings.append(f"Screening: {i['reason']}")
    consent = Consent.objects.filter(visit=visit).select_related("recorded_by").first()
    if consent is None:
        errors["consent"] = ["Record the patient's consent before signing."]
    elif not consent.complete:
        errors["consent"] = [
            "Consent must record that benefits, common and rare serious side effects and alternatives were "
            "discussed."
        ]
    sites = list(visit.sites.all())
    uses = list(visit.vial_uses.select_related("vial__lot", "vial__location"))
    check = None
    if not sites:
        errors["injections"] = ["Chart at least one injection site."]
    else:
        try:
            check = dose_check(visit, sites, overrides, history, uses)
        except FieldError as exc:
            errors.update(exc.errors)
    if not uses:
        errors["vials"] = ["Record the vial(s) used: lot, dilution, units administered and discarded."]
    for u in uses:
        lot = u.vial.lot
        if lot.is_expired(visit.visit_date):
            errors.setdefault("vials", []).append(
                f"Lot {lot.lot_number} expired on {lot.expiry_date:%d %b %Y}, before the visit date."
            )
        if lot.product != visit.product:
            errors.setdefault("vials", []).append(
                f"Lot {lot.lot_number} is {lot.product_info.brand}; the visit is {visit.product_info.brand}."
            )
    if check is not None and uses:
        given = sum((u.units_administered for u in uses), Decimal(0))
        if abs(float(given) - check.total_units) > 1e-9:
            errors.setdefault("vials", []).append(
                f"The vials record {fmt_units(float(given))} U administered but the charted sites total "
                f"{fmt_units(check.total_units)} U; correct one of them."
            )
    if check is not None:
        for f in check.hard_stops:
            how = (
                "correct the vials or the sites; this cannot be overridden"
                if f.rule in NOT_OVERRIDABLE
                else "only a prescriber may override it, with a reason"
            )
            errors.setdefault("dose", []).append(f"{dosing.RULE_LABELS[f.rule]}: {f.message} — {how}.")
        warnings.extend(f"{dosing.RULE_LABELS[f.rule]}: {f.message}." for f in check.warnings)
    return Review(items, check, errors, warnings, sites, uses, consent)


def sign_visit(
    visit: Visit,
    clinician: Any,
    *,
    expected_version: int | None,
    overrides: Mapping[str, Any] | None = None,
    acknowledge_warnings: bool = False,
    history: list[dosing.Session] | None = None,
    archive_pdf: bool = True,
    at: dt.datetime | None = None,
) -> SignedNote:
    """Sign the note: re-check on the server, refuse while a hard stop is not overridden by a prescriber
    with a reason or a warning is not acknowledged; then freeze the note (version 1), store the billing
    lines, mark the vials used, set the recall, audit, and send ``visit_signed`` in the same transaction."""
    if not can_sign_visit(clinician) or clinician.clinic_id != visit.clinic_id:
        raise PermissionDenied("Only a clinician of this clinic may sign a visit.")
    ov = _clean_overrides(overrides)
    if ov and not can_override_dose_stop(clinician):
        raise FieldError(
            {
                "overrides": [
                    "Only a prescriber may override a hard stop; ask a prescriber to review and sign."
                ]
            }
        )
    with transaction.atomic():
        locked = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("patient", "clinic", "location", "nurse", "clinician", "screened_by")
            .get(pk=visit.pk)
        )
        if locked.is_signed:
            raise NoteSigned(locked)
        if expected_version is None or locked.version != expected_version:
            if expected_version is None:
                raise FieldError({"version": ["Send the version you reviewed."]})
            raise Conflict(locked.version)
        r = review(locked, ov, history)
        errors = dict(r.errors)
        if r.warnings and not acknowledge_warnings:
            errors["acknowledge_warnings"] = [
                "Review and acknowledge these warnings before signing: " + " | ".join(r.warnings)
            ]
        if errors:
            raise FieldError(errors)
        assert r.check is not None
        session = engine_session(locked, r.sites, r.uses)
        try:
            lines = billing.lines(session, guidance=locked.guidance or None)
        except ValueError as exc:
            raise FieldError({"vials": [str(exc)]}) from exc
        now = at or timezone.now()
        before = snapshot(locked)
        locked.status = VisitStatus.SIGNED
        locked.signed_at = now
        locked.signed_by = clinician
        locked.clinician = locked.clinician or clinician
        locked.total_units = Decimal(str(r.check.total_units))
        locked.version += 1
        locked.save()
        ov_rows = []
        for f in r.check.overridden:
            ov_rows.append(
                DoseOverride.objects.create(
                    visit=locked,
                    rule=f.rule,
                    message=f.message,
                    reason=f.override_reason or "",
                    prescriber=clinician,
                )
            )
            log_action(
                "dose.stop_overridden",
                actor=clinician,
                obj=locked,
                data={"rule": f.rule, "finding": f.message, "reason": f.override_reason},
            )
        uses = r.uses
        mark_used(u.vial_id for u in uses)
        _store_billing(locked, lines, 1)
        # The recall row itself is the scheduling room's: it follows the recorded session (session_recorded).
        window = next_window(locked.visit_date)
        content = note_content(locked, r, lines, uses, window, acknowledged=r.warnings, overrides=ov_rows)
        note = SignedNote.objects.create(
            visit=locked, version=1, content=content, signed_by=clinician, signed_at=now
        )
        record_change("visit.signed", locked, before, actor=clinician, data={"note_version": 1})
        _announce(locked, clinician, note, archive_pdf, r.sites)
    return note


def _store_billing(visit: Visit, lines: Sequence[billing.BillingLine], version: int) -> None:
    BillingLine.objects.filter(visit=visit).delete()
    BillingLine.objects.bulk_create(
        [
            BillingLine(
                visit=visit,
                note_version=version,
                code=line.code,
                modifiers=",".join(line.modifiers),
                units=line.units,
                description=line.description,
                reason=line.reason,
                position=i,
            )
            for i, line in enumerate(lines)
        ]
    )


def _announce(
    visit: Visit, clinician: Any, note: SignedNote, archive_pdf: bool, site_rows: Sequence[InjectionSite]
) -> None:
    sites = [{"muscle": s.muscle, "side": s.side, "units": float(s.units)} for s in site_rows]
    kwargs = {
        "visit_id": str(visit.public_id),
        "patient": visit.patient,
        "clinic_id": visit.clinic_id,
        "injected_on": visit.visit_date,
        "product": visit.product,
        "indication": visit.indication,
        "total_units": float(visit.total_units or 0),
        "sites": sites,
        "signed_by": clinician,
    }
    # Sent inside the signing transaction, not after its commit: the treatment session (and what follows
    # from it: recall, check-ins, worklist) commits with the signature or not at all. After the commit, a
    # web worker killed between the commit and the callback left a signed visit without its session
    # (crash/test_visit_signing.py reproduces it).
    visit_signed.send(sender=Visit, **kwargs)
    if not archive_pdf:
        return
    from toxinclinic.visits.tasks import archive_note_pdf

    # The task row is queued in the same transaction too (the database task queue): never lost to a kill.
    archive_note_pdf.enqueue(note.pk)


def amend_visit(
    visit: Visit, clinician: Any, *, reason: str, notes: str, expected_version: int | None
) -> SignedNote:
    """A correction of a signed note: a new version with the reason; earlier versions stay readable.
    What may change is the clinical note text; everything else is carried over from the last version."""
    if not can_sign_visit(clinician) or clinician.clinic_id != visit.clinic_id:
        raise PermissionDenied("Only a clinician of this clinic may amend a note.")
    errors: dict[str, list[str]] = {}
    if not str(reason or "").strip():
        errors["reason"] = ["Give the reason for the amendment."]
    if notes is None:
        errors["notes"] = ["Give the corrected clinical note."]
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if not locked.is_signed:
            raise FieldError({"visit": ["This visit is not signed yet; edit the draft instead."]})
        if expected_version is None or locked.version != expected_version:
            if expected_version is None:
                raise FieldError({"version": ["Send the version you read."]})
            raise Conflict(locked.version)
        last = locked.notes_versions.order_by("-version").first()
        assert last is not None
        before = snapshot(locked)
        locked.notes = str(notes)
        locked.version += 1
        locked.save()
        content = dict(last.content)
        content["visit"] = {**content["visit"], "notes": locked.notes}
        content["amendment"] = {
            "reason": reason.strip(),
            "by": person_name(clinician),
            "previous": last.version,
        }
        note = SignedNote.objects.create(
            visit=locked,
            version=last.version + 1,
            content=content,
            signed_by=clinician,
            signed_at=timezone.now(),
            amendment_reason=reason.strip(),
            previous=last,
        )
        record_change(
            "visit.amended",
            locked,
            before,
            actor=clinician,
            data={"note_version": note.version, "reason": reason},
        )
        from toxinclinic.visits.tasks import archive_note_pdf

        archive_note_pdf.enqueue(note.pk)  # in the transaction: never lost to a kill after the commit
    return note

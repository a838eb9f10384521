"""Prior authorizations (record, move through drafted → submitted → approved/denied → appealed), the payer
rule scheduling asks about, and the visits left on an approval.

Every write is audited. Bad input raises ``core.errors.FieldError`` naming the field; a stale write
(``version`` given and not current) raises ``Conflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.core.errors import Conflict, FieldError
from toxinclinic.coverage.models import AuthStatus, PriorAuthorization
from toxinclinic.coverage.signals import authorization_changed
from toxinclinic.patients.models import Patient
from toxinclinic.treatment.conf import recall_interval_days
from toxinclinic.treatment.models import TreatmentSession

#: Which status may follow which (an appeal follows a denial; an appeal is decided like a submission).
NEXT: dict[str, tuple[str, ...]] = {
    AuthStatus.DRAFTED: (AuthStatus.SUBMITTED,),
    AuthStatus.SUBMITTED: (AuthStatus.APPROVED, AuthStatus.DENIED),
    AuthStatus.DENIED: (AuthStatus.APPEALED,),
    AuthStatus.APPEALED: (AuthStatus.APPROVED, AuthStatus.DENIED),
    AuthStatus.APPROVED: (),
}


@dataclass(frozen=True)
class PayerPolicy:
    """What a patient's payer allows: ``min_interval_days`` between sessions and whether an injection
    inside it is refused (``forbids_early``) rather than only warned about."""

    payer: str
    min_interval_days: int
    forbids_early: bool


def _payer_rules() -> Mapping[str, Mapping[str, Any]]:
    # settings.TOXINCLINIC_PAYER_RULES = {"Acme Health": {"min_interval_days": 84, "forbids_early": True}}
    return getattr(settings, "TOXINCLINIC_PAYER_RULES", {})


def current_authorization(patient: Patient) -> PriorAuthorization | None:
    """The newest authorization on record for the patient (any status)."""
    return PriorAuthorization.objects.filter(patient=patient).order_by("-id").first()


def payer_policy(patient: Patient) -> PayerPolicy:
    """The payer rule for ``patient``'s newest authorization: its payer's entry in
    ``TOXINCLINIC_PAYER_RULES`` or, by default, the clinic's recall interval with early re-injection
    refused whenever an approval is on record (payers pay once per 12 weeks)."""
    auth = current_authorization(patient)
    payer = auth.payer if auth else ""
    rule = _payer_rules().get(payer, {})
    return PayerPolicy(
        payer=payer,
        min_interval_days=int(rule.get("min_interval_days", recall_interval_days())),
        forbids_early=bool(
            rule.get("forbids_early", auth is not None and auth.status == AuthStatus.APPROVED)
        ),
    )


def visits_used(auth: PriorAuthorization, session_dates: Iterable[dt.date]) -> int:
    """Signed sessions inside the approval's dates (sessions are given, not booked)."""
    if auth.starts_on is None or auth.ends_on is None:
        return 0
    return sum(1 for d in session_dates if auth.starts_on <= d <= auth.ends_on)


def visits_left(auth: PriorAuthorization, session_dates: Iterable[dt.date]) -> int | None:
    if auth.status != AuthStatus.APPROVED or auth.visits_approved is None:
        return None
    return max(0, auth.visits_approved - visits_used(auth, session_dates))


def session_dates(patient_id: int) -> list[dt.date]:
    return list(TreatmentSession.objects.filter(patient_id=patient_id).values_list("injected_on", flat=True))


def _check(values: Mapping[str, Any], status: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(values.get("payer", "")).strip():
        errors["payer"] = ["Enter the payer's name."]
    if status == AuthStatus.APPROVED:
        for f, what in (
            ("units_per_session", "the units per session (U) the payer approved"),
            ("visits_approved", "how many sessions the payer approved"),
            ("starts_on", "the first day of the approval"),
            ("ends_on", "the last day of the approval"),
        ):
            if values.get(f) in (None, ""):
                errors[f] = [f"An approval needs {what}."]
        units = values.get("units_per_session")
        if isinstance(units, int) and not 1 <= units <= 1000:
            errors["units_per_session"] = ["Units per session must be between 1 and 1000 U."]
        s, e = values.get("starts_on"), values.get("ends_on")
        if s and e and e < s:
            errors["ends_on"] = ["The approval cannot end before it starts."]
    if status == AuthStatus.DENIED and not str(values.get("denial_reason", "")).strip():
        errors["denial_reason"] = ["Say why the payer denied it (from the payer's letter)."]
    return errors


FIELDS = (
    "payer",
    "indication",
    "product",
    "renewal",
    "reference",
    "units_per_session",
    "visits_approved",
    "starts_on",
    "ends_on",
    "denial_reason",
    "submitted_on",
    "decided_on",
)


def record_authorization(
    patient: Patient, *, actor: Any, status: str = AuthStatus.DRAFTED, **values: Any
) -> PriorAuthorization:
    """Store a new authorization for ``patient`` (any status, e.g. an approval entered from a letter)."""
    if status not in AuthStatus.values:
        raise FieldError.one("status", f"Choose one of: {', '.join(AuthStatus.labels)}.")
    errors = _check(values, status)
    if errors:
        raise FieldError(errors)
    auth = PriorAuthorization(
        patient=patient,
        clinic_id=patient.clinic_id,
        status=status,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{k: v for k, v in values.items() if k in FIELDS},
    )
    with transaction.atomic():
        auth.save()
        record_change("prior_authorization.recorded", auth, None, actor=actor)
    _changed(patient)
    return auth


def move_authorization(
    auth: PriorAuthorization, status: str, *, actor: Any, version: int | None = None, **values: Any
) -> PriorAuthorization:
    """Move ``auth`` to ``status`` (only along :data:`NEXT`), with what the payer said."""
    with transaction.atomic():
        current = PriorAuthorization.objects.select_for_update().get(pk=auth.pk)
        if version is not None and current.version != version:
            raise Conflict(current.version, "Somebody else changed this authorization; reload it, try again.")
        if status not in NEXT.get(current.status, ()):
            allowed = ", ".join(AuthStatus(s).label for s in NEXT.get(current.status, ())) or "nothing"
            raise FieldError.one(
                "status", f"A {current.get_status_display().lower()} authorization can move to: {allowed}."
            )
        merged = {f: values.get(f, getattr(current, f)) for f in FIELDS}
        errors = _check(merged, status)
        if errors:
            raise FieldError(errors)
        before = snapshot(current)
        for f, v in merged.items():
            setattr(current, f, v)
        current.status = status
        current.version += 1
        current.save()
        record_change("prior_authorization.changed", current, before, actor=actor)
    _changed(current.patient)
    return current


def _changed(patient: Patient) -> None:
    authorization_changed.send(sender=PriorAuthorization, patient_id=patient.pk, clinic_id=patient.clinic_id)

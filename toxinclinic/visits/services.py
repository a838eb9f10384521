"""The visit's use cases, by topic, and the look-ups every one of them starts from.

Each topic has its own module, read in one sitting; this module names them all for callers that want one
import (the views and API import the topic modules directly):

- ``visits.checks`` — the visit as the dose engine sees it, and the dose check;
- ``visits.drafts`` — start a visit, edit its fields, the screening and the consent (version-checked);
- ``visits.charting`` — the charted sites, templates and the last session's sites;
- ``visits.vials`` — the vials a visit opens (their state is written by ``inventory.services``);
- ``visits.signing`` — review, sign (freeze, bill, recall, ``visit_signed``) and amend;
- ``visits.note_content`` — the frozen note's JSON;
- ``visits.schemas`` — the API's schemas and JSON builders.

Every clinical verdict comes from ``toxinclinic.clinical``. Units are the visit product's own U.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from toxinclinic.accounts.permissions import is_staff_member
from toxinclinic.audit.services import record_change
from toxinclinic.clinical import products
from toxinclinic.core.errors import FieldError
from toxinclinic.patients.models import Patient
from toxinclinic.patients.services import parse_public_id
from toxinclinic.visits.charting import (  # noqa: F401 -- re-exported
    LAST_SESSION,
    apply_protocol,
    new_site,
    parse_sites,
    protocol_sites,
    save_injections,
    site_rows,
)
from toxinclinic.visits.checks import (  # noqa: F401 -- re-exported
    MAX_UNITS,
    DraftSite,
    dose_check,
    engine_session,
    protocol_for_check,
)
from toxinclinic.visits.drafts import (  # noqa: F401 -- re-exported
    CONSENT_EARLIEST,
    NoteSigned,
    before_birth,
    create_visit,
    save_consent,
    save_screening,
    update_visit,
)
from toxinclinic.visits.history import (  # noqa: F401 -- re-exported
    CLINIC_DOSE_POLICY,
    clinic_date,
    clinic_dates,
    history_sessions,
    last_signed_visit,
)
from toxinclinic.visits.models import OutsideInjection, VialUse, Visit, VisitStatus
from toxinclinic.visits.note_content import note_content  # noqa: F401 -- re-exported
from toxinclinic.visits.schemas import check_payload, finding_dict, site_dict, totals_table  # noqa: F401
from toxinclinic.visits.screening import (  # noqa: F401 -- re-exported
    ASK_EVERY_VISIT,
    SCREENING_KEYS,
    clean_answers,
    history_items,
    saved_not_applicable,
    screening_answers,
    screening_items,
    screening_prefill,
)
from toxinclinic.visits.signing import NOT_OVERRIDABLE, Review, amend_visit, review, sign_visit  # noqa: F401
from toxinclinic.visits.vials import add_vial_use, remove_vial_use  # noqa: F401 -- re-exported

# --- look-ups -------------------------------------------------------------------------------------


def visits_for(user: Any) -> QuerySet[Visit]:
    """Visits the user may see: every visit of their clinic for staff; none for anybody else."""
    if not is_staff_member(user):
        return Visit.objects.none()
    return Visit.objects.filter(clinic_id=user.clinic_id)


def get_visit(
    user: Any, public_id: str | uuid.UUID, *, can: Callable[[Any, Visit], bool] | None = None
) -> Visit:
    """The visit if the user may see it; 404 otherwise (never a hint that the id exists); 403 unless the
    use case ``can(user, visit)`` allows it (as ``patients.access.chart_for`` does for a chart)."""
    vid = parse_public_id(public_id)
    visit = (
        visits_for(user)
        .filter(public_id=vid)
        .select_related("patient", "clinic", "location", "nurse", "clinician", "signed_by")
        .first()
    )
    if visit is None:
        raise Http404("No such visit.")
    if can is not None and not can(user, visit):
        raise PermissionDenied
    return visit


# --- outside injections --------------------------------------------------------------------------------


def record_outside_injection(
    patient: Patient,
    *,
    actor: Any,
    given_on: dt.date,
    product: str,
    units: Decimal,
    indication: str,
    where: str,
) -> OutsideInjection:
    errors: dict[str, list[str]] = {}
    if given_on > timezone.localdate():
        errors["given_on"] = ["The date cannot be in the future."]
    elif (born := before_birth(patient, given_on)) is not None:
        errors["given_on"] = [born]
    if product not in products.PRODUCTS:
        errors["product"] = [f"Choose one of: {', '.join(products.PRODUCTS)}."]
    if indication not in products.HISTORY_INDICATIONS:
        errors["indication"] = [f"Choose one of: {', '.join(products.HISTORY_INDICATIONS)}."]
    if units is None or units <= 0 or units > MAX_UNITS:
        errors["units"] = [f"Units must be more than 0 and at most {MAX_UNITS} U (of that product)."]
    if not str(where or "").strip():
        errors["where"] = ["Say where it was given (provider or clinic)."]
    if errors:
        raise FieldError(errors)
    row = OutsideInjection(
        patient=patient,
        given_on=given_on,
        product=product,
        units=units,
        indication=indication,
        where=str(where).strip()[:200],
        recorded_by=actor,
    )
    with transaction.atomic():
        row.save()
        record_change("outside_injection.created", row, None, actor=actor)
    return row


def lot_recipients(lot: Any) -> QuerySet[VialUse]:
    """Every signed visit whose vials came from ``lot``: the recall search."""
    return (
        VialUse.objects.filter(vial__lot=lot, visit__status=VisitStatus.SIGNED)
        .select_related("visit__patient", "vial")
        .order_by("visit__visit_date", "visit__patient__last_name")
    )

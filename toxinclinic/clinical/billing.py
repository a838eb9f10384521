"""Claim lines for a session (clinical reference §6, §9).

Drug lines are in the product's HCPCS billing units: ``ceil(units / billing_unit)``. The discarded amount is
billed on a JW line as the vials' billing units minus the administered billing units, so rounding up the
administered dose absorbs part of the waste; when nothing remains to bill as waste (nothing discarded, or
administered + waste fit in the administered billing units), the drug line carries JZ instead and no JW line
is written. Single-dose vials only (all five products).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

from . import products
from ._common import check_choice, fmt_units
from .dosing import Session, Vial

CPT_MIGRAINE = "64615"
CPT_NECK = "64616"
CPT_ESTIM = "95873"
CPT_EMG = "95874"
CPT_ULTRASOUND = "76942"
GUIDANCE: tuple[str, ...] = ("emg", "estim")

DIAGNOSIS_CODES: dict[str, dict[str, str]] = {
    "chronic_migraine": {
        "G43.701": "Chronic migraine without aura, not intractable, with status migrainosus",
        "G43.709": "Chronic migraine without aura, not intractable, without status migrainosus",
        "G43.711": "Chronic migraine without aura, intractable, with status migrainosus",
        "G43.719": "Chronic migraine without aura, intractable, without status migrainosus",
    },
    "cervical_dystonia": {"G24.3": "Spasmodic torticollis (cervical dystonia)"},
}


def diagnosis_code(indication: str, *, intractable: bool = False, status_migrainosus: bool = False) -> str:
    """ICD-10-CM code: G43.7x for chronic migraine (intractability, status migrainosus), G24.3 for CD."""
    products.check_indication(indication)
    if indication == "cervical_dystonia":
        return "G24.3"
    return f"G43.7{1 if intractable else 0}{1 if status_migrainosus else 9}"


@dataclass(frozen=True)
class BillingPolicy:
    """``allow_ultrasound_76942``: bill ultrasound guidance (payer-dependent NCCI edits; off by default)."""

    allow_ultrasound_76942: bool = False


@dataclass(frozen=True)
class BillingLine:
    code: str
    modifiers: tuple[str, ...]
    units: int
    description: str
    reason: str

    @property
    def display(self) -> str:
        return "-".join((self.code, *self.modifiers)) + f" × {self.units}"


def lines(
    session: Session,
    vials: Sequence[Vial | Real] | None = None,
    guidance: str | None = None,
    ultrasound: bool = False,
    policy: BillingPolicy | None = None,
) -> list[BillingLine]:
    """Procedure, guidance and drug lines for ``session``. ``vials`` defaults to ``session.vials``.

    Raises ValueError when no vials are known or more units were administered than the vials held.
    """
    policy = policy or BillingPolicy()
    if guidance is not None:
        check_choice(guidance, "guidance", GUIDANCE)
    if not isinstance(ultrasound, bool):
        raise ValueError(f"ultrasound: {ultrasound!r} is not True/False")
    products.check_indication(session.indication)
    prod = products.get(session.product)
    vs = tuple(v if isinstance(v, Vial) else Vial(v) for v in (session.vials if vials is None else vials))  # type: ignore[arg-type]
    for i, v in enumerate(vs, 1):
        if v.size_units not in prod.vial_sizes:
            raise ValueError(f"vials item {i}: {prod.brand} has no {v.size_units:g} U vial")
    if not vs:
        raise ValueError("vials: at least one vial is needed to bill the drug")
    given = session.total_units
    opened = sum(v.size_units for v in vs)
    if given > opened:
        raise ValueError(
            f"vials: {fmt_units(given)} U administered is more than the {fmt_units(opened)} U opened"
        )
    if given <= 0:
        raise ValueError("injections: nothing administered")

    out: list[BillingLine] = []
    if session.indication == "chronic_migraine":
        out.append(
            BillingLine(
                CPT_MIGRAINE, (), 1, "Chemodenervation for chronic migraine (bilateral)", "once per session"
            )
        )
    else:
        sides = {x.side for x in session.injections}
        both = {"left", "right"} <= sides
        out.append(
            BillingLine(
                CPT_NECK,
                ("50",) if both else (),
                1,
                "Chemodenervation of neck muscles (unilateral)",
                "both sides injected: modifier 50" if both else "one side injected",
            )
        )
    if guidance == "estim":
        out.append(
            BillingLine(
                CPT_ESTIM,
                (),
                1,
                "Guidance by electrical stimulation",
                "one guidance code per chemodenervation code",
            )
        )
    elif guidance == "emg":
        out.append(
            BillingLine(
                CPT_EMG,
                (),
                1,
                "Guidance by needle electromyography",
                "one guidance code per chemodenervation code",
            )
        )
    if ultrasound and policy.allow_ultrasound_76942:
        out.append(
            BillingLine(
                CPT_ULTRASOUND, (), 1, "Ultrasound guidance for needle placement", "allowed by billing policy"
            )
        )

    bu = prod.billing_unit
    given_bu = math.ceil(given / bu)
    opened_bu = math.ceil(opened / bu)
    waste_bu = opened_bu - given_bu
    desc = f"{prod.brand} ({prod.generic}), per {bu} U"
    if waste_bu > 0:
        out.append(
            BillingLine(
                prod.hcpcs,
                (),
                given_bu,
                desc,
                f"{fmt_units(given)} U administered = {given_bu} billing units of {bu} U",
            )
        )
        out.append(
            BillingLine(
                prod.hcpcs,
                ("JW",),
                waste_bu,
                desc + ", discarded",
                f"{fmt_units(opened)} U opened - {fmt_units(given)} U administered: "
                f"{waste_bu} billing units discarded",
            )
        )
    else:
        out.append(
            BillingLine(
                prod.hcpcs,
                ("JZ",),
                given_bu,
                desc,
                f"{fmt_units(given)} U administered = {given_bu} billing units; no billable discarded drug",
            )
        )
    return out

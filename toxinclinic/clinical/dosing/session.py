"""The dose engine's inputs and outputs: an injection, a vial, a session, the clinic's dose policy, a
finding and the check's verdict (rule codes and their labels). Every figure is in the product's own U."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .. import anatomy, products, protocols
from .._common import check_choice, check_date, check_number, check_units

HARD_STOP = "hard_stop"
WARNING = "warning"
INFO = "info"
RULES: tuple[str, ...] = (
    "session_max",
    "muscle_limit",
    "site_limit",
    "scm_limit",
    "cumulative_3_month",
    "min_interval",
    "other_product_recent",
    "product_indication",
    "protocol_deviation",
    "vial_balance",
    "dilution",
    "label_dose",
)
#: Each rule in words, for people (the codes stay in the API and the audit data).
RULE_LABELS: dict[str, str] = {
    "session_max": "Session maximum",
    "muscle_limit": "Muscle maximum",
    "site_limit": "Units per site",
    "scm_limit": "Sternocleidomastoid maximum",
    "cumulative_3_month": "Units in 3 months",
    "min_interval": "Time since the last injection",
    "other_product_recent": "Another toxin product recently",
    "product_indication": "Product not approved for this indication",
    "protocol_deviation": "Differs from the template",
    "vial_balance": "Units and vials do not balance",
    "dilution": "Dilution",
    "label_dose": "Above the label dose",
}
CUMULATIVE_WINDOWS: tuple[str, ...] = ("90_days", "3_calendar_months")


@dataclass(frozen=True)
class Injection:
    """One injection site: ``units`` (U of the session's product, finite and > 0) into ``muscle``/``side``."""

    muscle: str
    side: str
    units: float
    site_id: str | None = None

    def __post_init__(self) -> None:
        anatomy.check_muscle_side(self.muscle, self.side)
        check_units(self.units, f"units ({self.muscle} {self.side})")
        if self.site_id is not None and (not isinstance(self.site_id, str) or not self.site_id):
            raise ValueError(f"site_id: {self.site_id!r} is not a non-empty string")


@dataclass(frozen=True)
class Vial:
    """A vial opened for the session: ``size_units`` (U) and, optionally, the diluent volume in mL."""

    size_units: float
    diluent_ml: float | None = None
    lot: str | None = None

    def __post_init__(self) -> None:
        check_units(self.size_units, "vial size_units")
        if self.diluent_ml is not None:
            check_number(self.diluent_ml, "vial diluent_ml", minimum=0, allow_zero=False)

    @property
    def units_per_0_1_ml(self) -> float | None:
        return None if self.diluent_ml is None else self.size_units / self.diluent_ml * 0.1


def diluent_ml_for(size_units: float, units_per_0_1_ml: float) -> float:
    """Diluent volume (mL) that makes a vial of ``size_units`` U hold ``units_per_0_1_ml`` U per 0.1 mL:
    the inverse of ``Vial.units_per_0_1_ml`` (§3: 100 U in 2 mL, or 200 U in 4 mL, is 5 U per 0.1 mL)."""
    size = check_units(size_units, "vial size_units")
    per_0_1 = check_number(units_per_0_1_ml, "units_per_0_1_ml", minimum=0, allow_zero=False)
    return size * 0.1 / per_0_1


@dataclass(frozen=True)
class Session:
    """A treatment session (planned or given).

    ``injections`` may be empty for a session recorded elsewhere (e.g. cosmetic treatment), in which case
    ``external_total_units`` may carry its total. ``indication`` may be ``cosmetic`` or ``other`` for such
    history records only; ``check_session`` refuses them for the session being checked. ``vials`` accepts
    :class:`Vial` objects or plain vial sizes in U; ``discarded_units`` is the drug wasted (U).
    """

    date: date
    product: str
    indication: str
    injections: tuple[Injection, ...] = ()
    protocol: str | None = None
    vials: tuple[Vial, ...] = ()
    discarded_units: float | None = None
    external_total_units: float | None = None

    def __post_init__(self) -> None:
        check_date(self.date, "date")
        prod = products.get(self.product)
        products.check_indication(self.indication, history=True)
        if self.protocol is not None:
            tmpl = protocols.get(self.protocol)
            if tmpl.indication != self.indication:
                raise ValueError(
                    f"protocol: {self.protocol} is for {tmpl.indication}, "
                    f"but the session indication is {self.indication}"
                )
        inj = tuple(self.injections)
        for i, x in enumerate(inj, 1):
            if not isinstance(x, Injection):
                raise ValueError(f"injections item {i}: {x!r} is not an Injection")
        ids = [x.site_id for x in inj if x.site_id is not None]
        dup = {s for s in ids if ids.count(s) > 1}
        if dup:
            raise ValueError(f"injections: site_id {sorted(dup)[0]} appears more than once")
        vials = tuple(v if isinstance(v, Vial) else Vial(v) for v in self.vials)  # type: ignore[arg-type]
        for i, v in enumerate(vials, 1):
            if v.size_units not in prod.vial_sizes:
                sizes = ", ".join(str(s) for s in prod.vial_sizes)
                raise ValueError(
                    f"vials item {i}: {prod.brand} comes in {sizes} U vials, not {v.size_units:g} U"
                )
        if self.discarded_units is not None:
            check_number(self.discarded_units, "discarded_units", minimum=0)
        if self.external_total_units is not None:
            if inj:
                raise ValueError("external_total_units: only for sessions recorded without injections")
            check_number(self.external_total_units, "external_total_units", minimum=0)
        object.__setattr__(self, "injections", inj)
        object.__setattr__(self, "vials", vials)

    @property
    def total_units(self) -> float:
        """Units given (U of this product)."""
        if self.injections:
            return sum(x.units for x in self.injections)
        return self.external_total_units or 0.0

    @property
    def vial_units(self) -> float:
        return sum(v.size_units for v in self.vials)


def _product_map(default: Mapping[str, float]) -> Mapping[str, float]:
    return field(default_factory=lambda: dict(default))  # type: ignore[return-value]


@dataclass(frozen=True)
class DosePolicy:
    """Configurable dose rules. Per-product maps are keyed by product; a product absent from a map has
    no such limit (units are product-specific, so a Botox figure is never applied to another product).
    """

    cm_max_units_unspecified: float = 195  # Botox CM session max when no protocol is stated (§5)
    site_max_units: Mapping[str, float] = _product_map({"botox": 50})  # §4: Botox, per site
    site_limit_hard: bool = False
    scm_max_units: Mapping[str, float] = _product_map({"botox": 100})  # §4/§5: SCM total per session
    scm_limit_hard: bool = False
    cumulative_max_units: Mapping[str, float] = _product_map({"botox": 400})  # §5: per 3 months
    cumulative_window: str = "90_days"  # or "3_calendar_months"
    cumulative_window_days: int = 90
    min_interval_days: int = 84  # §5: 12 weeks since any toxin session
    min_interval_hard: bool = False
    other_product_window_days: int = 180  # our default for "another toxin product within the past months"
    muscle_limit_hard: bool = False
    label_dose_warning: bool = True

    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_choice(self.cumulative_window, "cumulative_window", CUMULATIVE_WINDOWS)
        for name in ("cumulative_window_days", "min_interval_days", "other_product_window_days"):
            check_number(getattr(self, name), name, minimum=0)


@dataclass(frozen=True)
class Finding:
    """One rule outcome. ``limit`` and ``value`` are the numbers compared (U, days or sites as the
    message says). ``override_reason`` is set when the prescriber overrode a hard stop."""

    rule: str
    severity: str
    message: str
    limit: float | None = None
    value: float | None = None
    muscle: str | None = None
    side: str | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class DoseCheck:
    """Result of :func:`check_session`. ``ok`` is False while any hard stop is not overridden.

    ``warnings`` need acknowledgement before treatment; ``units_by_muscle``/``units_by_side`` are in U of
    ``product``.
    """

    ok: bool
    product: str
    total_units: float
    hard_stops: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    info: tuple[Finding, ...]
    overridden: tuple[Finding, ...]
    units_by_muscle: dict[str, float]
    units_by_side: dict[str, float]
    units_by_muscle_side: dict[str, dict[str, float]]

    __hash__ = None  # type: ignore[assignment]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.hard_stops + self.overridden + self.warnings + self.info

    @property
    def needs_acknowledgement(self) -> bool:
        return bool(self.warnings)

    @property
    def reasons(self) -> list[str]:
        return [f"{f.severity}: {f.message}" for f in self.findings]

"""Session dose checking (clinical reference §3–§6).

Every figure is in the session product's own units (U). Units are never converted or added across
products: the cumulative check sums the *same* product only, and another product given recently is a
warning that names both products and dates.

Severity of each rule (``DosePolicy`` holds every configurable value):

* ``session_max`` — hard stop. Protocol maximum: PREEMPT 155 U, PREEMPT follow-the-pain 195 U; Botox for
  chronic migraine without a stated protocol 195 U (configurable).
* ``cumulative_3_month`` — hard stop when the same product exceeds its limit (Botox 400 U) in any rolling
  window containing this session (90 days by default, or 3 calendar months).
* ``product_indication`` — hard stop when the product is not approved for the indication.
* ``vial_balance`` — hard stop when more units were given than the vials held; warning when administered +
  discarded does not equal the units in the vials, or discarded units were not recorded.
* ``site_limit`` (> 50 U per site, Botox), ``scm_limit`` (> 100 U sternocleidomastoid total, Botox),
  ``min_interval`` (< 84 days since any toxin session), ``muscle_limit`` — warnings by default, each
  configurable to a hard stop. Per-muscle limits stay warnings by default because the published
  cervical-dystonia ranges are marked *verify* in the reference and the label sets none; the session and
  cumulative limits are the hard backstops.
* ``other_product_recent``, ``protocol_deviation``, ``dilution``, ``label_dose`` — warnings.

A hard stop can be overridden by the prescriber with a reason (``overrides={rule: reason}``); it is then
reported in ``overridden`` and no longer blocks ``ok``.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from numbers import Real

from . import anatomy, products, protocols
from ._common import check_choice, check_date, check_number, check_units, fmt_date, fmt_quantity, fmt_units

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


def _minus_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _window_start(end: date, policy: DosePolicy) -> date:
    """First day inside the window that ends on ``end`` (inclusive)."""
    if policy.cumulative_window == "3_calendar_months":
        return _minus_months(end, 3) + timedelta(days=1)
    return end - timedelta(days=int(policy.cumulative_window_days) - 1)


def _totals(session: Session) -> tuple[dict[str, float], dict[str, float], dict[str, dict[str, float]]]:
    by_m: dict[str, float] = defaultdict(float)
    by_s: dict[str, float] = defaultdict(float)
    by_ms: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for x in session.injections:
        by_m[x.muscle] += x.units
        by_s[x.side] += x.units
        by_ms[x.muscle][x.side] += x.units
    return dict(by_m), dict(by_s), {m: dict(v) for m, v in by_ms.items()}


def check_session(
    session: Session,
    history: Iterable[Session] = (),
    policy: DosePolicy | None = None,
    overrides: Mapping[str, str] | None = None,
    format_date: Callable[[date], str] = fmt_date,
) -> DoseCheck:
    """Check one session against the label and policy rules.

    ``history`` holds previous (or other) sessions of any product and indication, including cosmetic
    treatment elsewhere. ``overrides`` maps a hard-stop rule code to the prescriber's reason. Each
    finding's ``message`` is a sentence with muscle names and numbers (units grouped: 1,149 U), dates
    written by ``format_date`` (the clinic's format; default 3 Mar 2026).
    """
    q = fmt_quantity
    policy = policy or DosePolicy()
    if not isinstance(session, Session):
        raise ValueError(f"session: {session!r} is not a Session")
    products.check_indication(session.indication)
    hist = [h for h in history if h is not session and h != session]
    for i, h in enumerate(hist, 1):
        if not isinstance(h, Session):
            raise ValueError(f"history item {i}: {h!r} is not a Session")
    prod = products.get(session.product)
    U = prod.brand + " U"
    tmpl = protocols.get(session.protocol) if session.protocol else None
    total = session.total_units
    by_m, by_s, by_ms = _totals(session)
    out: list[Finding] = []

    def add(
        rule: str,
        severity: str,
        message: str,
        limit: float | None = None,
        value: float | None = None,
        muscle: str | None = None,
        side: str | None = None,
    ) -> None:
        out.append(Finding(rule, severity, message, limit, value, muscle, side))

    # product_indication
    if not prod.approved_for(session.indication):
        approved = [p.brand for p in products.PRODUCTS.values() if p.approved_for(session.indication)]
        add(
            "product_indication",
            HARD_STOP,
            f"{prod.brand} is not approved for {products.INDICATION_LABELS[session.indication].lower()} "
            f"(approved: {', '.join(approved)})",
        )

    template_applies = tmpl is not None and tmpl.product == session.product
    if tmpl is not None and not template_applies:
        add(
            "protocol_deviation",
            WARNING,
            f"The {tmpl.name} template is written in {products.get(tmpl.product).brand} units; "
            f"its unit limits are not applied to {prod.brand} (units are not interchangeable)",
        )

    # session_max
    limit: float | None = None
    source = ""
    if template_applies and tmpl is not None and tmpl.max_total_units is not None:
        limit, source = tmpl.max_total_units, f"template: {tmpl.name}"
    elif tmpl is None and session.product == "botox" and session.indication == "chronic_migraine":
        limit, source = policy.cm_max_units_unspecified, "chronic migraine without a stated protocol"
    if limit is not None:
        if total > limit:
            add(
                "session_max",
                HARD_STOP,
                f"The session total, {q(total)} {U}, is above this protocol's maximum of "
                f"{q(limit)} {U} ({source})",
                limit,
                total,
            )
        else:
            add(
                "session_max",
                INFO,
                f"The session total, {q(total)} {U}, is within this protocol's maximum of "
                f"{q(limit)} {U} ({source})",
                limit,
                total,
            )

    # muscle_limit: template limits, or the CD ranges for Botox cervical dystonia without a template
    limits: Mapping[str, protocols.MuscleLimit] = {}
    if template_applies and tmpl is not None:
        limits = tmpl.muscle_limits
    elif tmpl is None and session.product == "botox" and session.indication == "cervical_dystonia":
        limits = protocols.cervical_dystonia("anterocollis").muscle_limits
    sev = HARD_STOP if policy.muscle_limit_hard else WARNING
    for muscle, lim in limits.items():
        if muscle not in by_m:
            continue
        groups = by_ms[muscle].items() if lim.per_side else [(None, by_m[muscle])]
        for side, units in groups:
            where = f"{anatomy.MUSCLE_LABELS[muscle]}{' ' + side if side else ''}"  # "Temporalis left"
            if units > lim.max_units:
                rng = (
                    f" (typical {fmt_units(lim.typical_range[0])}–{fmt_units(lim.typical_range[1])} U)"
                    if lim.typical_range
                    else ""
                )
                add(
                    "muscle_limit",
                    sev,
                    f"{where}: {q(units)} {U} is above the template's maximum of "
                    f"{q(lim.max_units)} {U} for this muscle{rng}",
                    lim.max_units,
                    units,
                    muscle,
                    side,
                )
        if lim.max_sites is not None:
            n = sum(1 for x in session.injections if x.muscle == muscle)
            if n > lim.max_sites:
                add(
                    "muscle_limit",
                    sev,
                    f"{anatomy.MUSCLE_LABELS[muscle]}: {n} sites, above the template's "
                    f"maximum of {lim.max_sites} sites",
                    lim.max_sites,
                    n,
                    muscle,
                )

    # site_limit
    site_max = policy.site_max_units.get(session.product)
    if site_max is not None:
        sev = HARD_STOP if policy.site_limit_hard else WARNING
        for x in session.injections:
            if x.units > site_max:
                add(
                    "site_limit",
                    sev,
                    f"{site_name(x)}: {q(x.units)} {U} is above the maximum of {q(site_max)} {U} per site",
                    site_max,
                    x.units,
                    x.muscle,
                    x.side,
                )

    # scm_limit
    scm_max = policy.scm_max_units.get(session.product)
    scm = by_m.get("sternocleidomastoid", 0.0)
    if scm_max is not None and scm > scm_max:
        add(
            "scm_limit",
            HARD_STOP if policy.scm_limit_hard else WARNING,
            f"The sternocleidomastoid total, {q(scm)} {U}, is above {q(scm_max)} {U} "
            "(higher risk of swallowing problems)",
            scm_max,
            scm,
            "sternocleidomastoid",
        )

    # cumulative_3_month: same product only, every window that contains this session
    cum_max = policy.cumulative_max_units.get(session.product)
    if cum_max is not None:
        same = [h for h in hist if h.product == session.product] + [session]
        ends = {session.date} | {
            h.date for h in same if h.date > session.date and _window_start(h.date, policy) <= session.date
        }
        worst_total, worst_end, worst_items = -1.0, session.date, []
        for end in sorted(ends):
            start = _window_start(end, policy)
            items = [h for h in same if start <= h.date <= end]
            s = sum(h.total_units for h in items)
            if s > worst_total:
                worst_total, worst_end, worst_items = s, end, items
        window = (
            "3 calendar months"
            if policy.cumulative_window == "3_calendar_months"
            else f"{policy.cumulative_window_days} days"
        )
        detail = "; ".join(
            f"{format_date(h.date)}: {q(h.total_units)} U" for h in sorted(worst_items, key=lambda h: h.date)
        )
        start = _window_start(worst_end, policy)
        msg = (
            f"{prod.brand} {q(worst_total)} U in the {window} from {format_date(start)} to "
            f"{format_date(worst_end)} ({detail}); the limit is {q(cum_max)} U"
        )
        if worst_total > cum_max:
            add(
                "cumulative_3_month",
                HARD_STOP,
                msg,
                cum_max,
                worst_total,
            )
        else:
            add("cumulative_3_month", INFO, msg, cum_max, worst_total)

    # min_interval: any product, any indication (cosmetic included), in either direction
    near = sorted(hist, key=lambda h: abs((session.date - h.date).days))
    if near:
        h = near[0]
        gap = abs((session.date - h.date).days)
        if gap < policy.min_interval_days:
            when = "after" if h.date <= session.date else "before"
            add(
                "min_interval",
                HARD_STOP if policy.min_interval_hard else WARNING,
                f"{q(gap)} days {when} the {products.get(h.product).brand} session of {format_date(h.date)} "
                f"({_indication(h.indication)}); the minimum interval is {policy.min_interval_days} days",
                policy.min_interval_days,
                gap,
            )

    # other_product_recent: named, dated, never added
    for h in sorted(hist, key=lambda h: h.date):
        gap = (session.date - h.date).days
        if h.product != session.product and 0 <= gap <= policy.other_product_window_days:
            other = products.get(h.product)
            add(
                "other_product_recent",
                WARNING,
                f"{other.brand} ({other.generic}) given {format_date(h.date)}, {q(gap)} days before this "
                f"{prod.brand} ({prod.generic}) session on {format_date(session.date)}; units of different "
                "products are not comparable and are not added",
                policy.other_product_window_days,
                gap,
            )

    # protocol_deviation
    if template_applies and tmpl is not None:
        out.extend(_deviations(session, tmpl))

    # vial_balance
    if session.vials:
        vu = session.vial_units
        if total > vu:
            add(
                "vial_balance",
                HARD_STOP,
                f"{q(total)} U administered, but the vials opened hold only {q(vu)} U",
                vu,
                total,
            )
        elif session.discarded_units is None:
            add(
                "vial_balance",
                WARNING,
                f"Discarded units not recorded: {q(vu)} U opened, "
                f"{q(total)} U administered, so {q(vu - total)} U should be recorded as "
                "discarded",
                vu,
                total,
            )
        elif abs(total + session.discarded_units - vu) > 1e-9:
            add(
                "vial_balance",
                WARNING,
                f"Administered {q(total)} U + discarded "
                f"{q(session.discarded_units)} U = {q(total + session.discarded_units)} U, "
                f"but the vials opened hold {q(vu)} U",
                vu,
                total + session.discarded_units,
            )

    # dilution
    expected = tmpl.units_per_0_1_ml if template_applies and tmpl is not None else None
    if expected is not None:
        for i, v in enumerate(session.vials, 1):
            c = v.units_per_0_1_ml
            if c is not None and abs(c - expected) > 1e-9:
                add(
                    "dilution",
                    WARNING,
                    f"Vial {i}: {q(v.size_units)} U in {v.diluent_ml:g} mL gives "
                    f"{c:.3g} U per 0.1 mL; {tmpl.name} expects {expected:g} U per 0.1 mL",
                    expected,
                    c,
                )

    # label_dose (cervical dystonia, products whose label states a range)
    if policy.label_dose_warning and session.indication == "cervical_dystonia" and prod.cd_dose_range:
        hi = prod.cd_dose_range[1]
        if total > hi:
            add(
                "label_dose",
                WARNING,
                f"{q(total)} {U} is above the label's cervical-dystonia range ({prod.cd_label_dose})",
                hi,
                total,
            )

    ov = dict(overrides or {})
    for rule in ov:
        check_choice(rule, "overrides", RULES)
    hard, overridden, warn, info = [], [], [], []
    for f in out:
        if f.severity == HARD_STOP:
            reason = ov.get(f.rule, "")
            if isinstance(reason, str) and reason.strip():
                overridden.append(Finding(**{**f.__dict__, "override_reason": reason.strip()}))
            else:
                hard.append(f)
        elif f.severity == WARNING:
            warn.append(f)
        else:
            info.append(f)
    return DoseCheck(
        ok=not hard,
        product=session.product,
        total_units=total,
        hard_stops=tuple(hard),
        warnings=tuple(warn),
        info=tuple(info),
        overridden=tuple(overridden),
        units_by_muscle=by_m,
        units_by_side=by_s,
        units_by_muscle_side=by_ms,
    )


def _muscle_side(muscle: str, side: str | None) -> str:
    """'Temporalis left', 'Procerus' (midline is not said)."""
    name = anatomy.MUSCLE_LABELS.get(muscle, muscle)
    return name if side in (None, "", "midline") else f"{name} {side}"


def site_name(x: Injection) -> str:
    """An injection in words: 'Temporalis left, site 1', 'Trapezius right, follow-the-pain site 2'; the
    site id itself is never shown."""
    tail = (x.site_id or "").rsplit("_", 1)[-1]
    kind = "follow-the-pain site" if "_ftp_" in (x.site_id or "") else "site"
    where = _muscle_side(x.muscle, x.side)
    return f"{where}, {kind} {tail}" if tail.isdigit() else where


def _indication(key: str) -> str:
    return products.INDICATION_LABELS.get(key, key.replace("_", " ")).lower()


def _deviations(session: Session, tmpl: protocols.Protocol) -> list[Finding]:
    """Sites that leave the template (warnings)."""
    out: list[Finding] = []
    is_preempt = tmpl.key.startswith("preempt")
    known = {s.site_id: s for s in tmpl.sites}
    if tmpl.key == "preempt_ftp":
        for side in ("left", "right"):
            known.update({s.site_id: s for s in protocols.preempt(protocols.FTP_MAX_SITES, side).sites})
    for x in session.injections:
        if x.site_id is None:
            continue
        t = known.get(x.site_id)
        if t is None:
            out.append(
                Finding(
                    "protocol_deviation",
                    WARNING,
                    f"{site_name(x)} is not a {tmpl.name} site",
                    muscle=x.muscle,
                    side=x.side,
                )
            )
        elif (t.muscle, t.side) != (x.muscle, x.side):
            out.append(
                Finding(
                    "protocol_deviation",
                    WARNING,
                    f"{site_name(x)} does not match the template's site there "
                    f"({_muscle_side(t.muscle, t.side)})",
                    muscle=x.muscle,
                    side=x.side,
                )
            )
    count: dict[tuple[str, str], int] = defaultdict(int)
    for x in session.injections:
        count[(x.muscle, x.side)] += 1
        if is_preempt and x.units != protocols.PREEMPT_UNITS_PER_SITE:
            out.append(
                Finding(
                    "protocol_deviation",
                    WARNING,
                    f"{site_name(x)}: {fmt_quantity(x.units)} U instead of "
                    f"{protocols.PREEMPT_UNITS_PER_SITE} U per site",
                    protocols.PREEMPT_UNITS_PER_SITE,
                    x.units,
                    x.muscle,
                    x.side,
                )
            )
    template_ms = {(s.muscle, s.side) for s in tmpl.sites}
    for m, s in sorted(count):
        if (m, s) not in template_ms and not (is_preempt and m in protocols.PREEMPT_SITES):
            out.append(
                Finding(
                    "protocol_deviation",
                    WARNING,
                    f"{_muscle_side(m, s)} is not part of {tmpl.name}",
                    muscle=m,
                    side=s,
                )
            )
    if is_preempt:
        allowance = protocols.FTP_MAX_SITES if tmpl.key == "preempt_ftp" else {}
        for m, (per_side, sides) in protocols.PREEMPT_SITES.items():
            extra = 0
            for s in sides:
                n = count.get((m, s), 0)
                if n < per_side:
                    out.append(
                        Finding(
                            "protocol_deviation",
                            WARNING,
                            f"{_muscle_side(m, s)}: {n} of {per_side} fixed sites injected",
                            per_side,
                            n,
                            m,
                            s,
                        )
                    )
                extra += max(0, n - per_side)
            if extra > allowance.get(m, 0):
                out.append(
                    Finding(
                        "protocol_deviation",
                        WARNING,
                        f"{anatomy.MUSCLE_LABELS[m]}: {extra} sites "
                        f"beyond the fixed ones (allowed {allowance.get(m, 0)})",
                        allowance.get(m, 0),
                        extra,
                        m,
                    )
                )
    else:
        injected = {m for m, _ in count}
        for m in sorted({s.muscle for s in tmpl.sites} - injected):
            out.append(
                Finding(
                    "protocol_deviation",
                    INFO,
                    f"{anatomy.MUSCLE_LABELS[m]}, a muscle of the template, was not injected",
                    muscle=m,
                )
            )
    return out


def session_from_protocol(
    tmpl: protocols.Protocol,
    when: date,
    *,
    product: str | None = None,
    vials: Sequence[Vial | Real] = (),
    discarded_units: float | None = None,
) -> Session:
    """A session that injects exactly ``tmpl``'s sites (useful for planning and tests)."""
    key = tmpl.key
    if key.startswith("preempt_ftp") or (key == "preempt" and any(s.follow_the_pain for s in tmpl.sites)):
        key = "preempt_ftp"
    return Session(
        when,
        product or tmpl.product,
        tmpl.indication,
        tuple(Injection(s.muscle, s.side, s.units, s.site_id) for s in tmpl.sites),
        protocol=key,
        vials=tuple(vials),
        discarded_units=discarded_units,
    )  # type: ignore[arg-type]

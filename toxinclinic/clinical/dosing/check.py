"""``check_session``: one session checked against the label and policy rules and the patient's history
(the rules and their severities are listed in ``toxinclinic.clinical.dosing``). Units are the session
product's own U, never converted or added across products."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta

from .. import anatomy, products, protocols
from .._common import check_choice, fmt_date, fmt_quantity, fmt_units
from .session import (
    HARD_STOP,
    INFO,
    RULES,
    WARNING,
    DoseCheck,
    DosePolicy,
    Finding,
    Session,
)
from .templates import deviations, indication_words, site_name


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
                f"({indication_words(h.indication)}); "
                f"the minimum interval is {policy.min_interval_days} days",
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
        out.extend(deviations(session, tmpl))

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

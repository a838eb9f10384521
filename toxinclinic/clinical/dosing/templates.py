"""A session against its protocol template: the sites that leave it (warnings), an injection in words,
and a session built from a template. Units are the template product's own U."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from numbers import Real

from .. import anatomy, products, protocols
from .._common import fmt_quantity
from .session import (
    INFO,
    WARNING,
    Finding,
    Injection,
    Session,
    Vial,
)


def muscle_side(muscle: str, side: str | None) -> str:
    """'Temporalis left', 'Procerus' (midline is not said)."""
    name = anatomy.MUSCLE_LABELS.get(muscle, muscle)
    return name if side in (None, "", "midline") else f"{name} {side}"


def site_name(x: Injection) -> str:
    """An injection in words: 'Temporalis left, site 1', 'Trapezius right, follow-the-pain site 2'; the
    site id itself is never shown."""
    tail = (x.site_id or "").rsplit("_", 1)[-1]
    kind = "follow-the-pain site" if "_ftp_" in (x.site_id or "") else "site"
    where = muscle_side(x.muscle, x.side)
    return f"{where}, {kind} {tail}" if tail.isdigit() else where


def indication_words(key: str) -> str:
    return products.INDICATION_LABELS.get(key, key.replace("_", " ")).lower()


def deviations(session: Session, tmpl: protocols.Protocol) -> list[Finding]:
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
                    f"({muscle_side(t.muscle, t.side)})",
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
                    f"{muscle_side(m, s)} is not part of {tmpl.name}",
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
                            f"{muscle_side(m, s)}: {n} of {per_side} fixed sites injected",
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

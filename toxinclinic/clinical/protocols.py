"""Injection templates: PREEMPT for chronic migraine (§3) and cervical-dystonia patterns (§4).

All units are Botox (onabotulinumtoxinA) U: PREEMPT is a Botox paradigm and the published per-muscle
cervical-dystonia ranges are Botox ranges. Other products' units are not interchangeable, so the dose
checker applies these per-muscle figures to Botox sessions only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import anatomy
from ._common import check_choice, check_int

PREEMPT_UNITS_PER_SITE = 5
PREEMPT_UNITS_PER_0_1_ML = 5.0  # 100 U in 2 mL (or 200 U in 4 mL) saline
#: Fixed PREEMPT sites per muscle: (sites per side, sides). Procerus is a single midline site.
PREEMPT_SITES: dict[str, tuple[int, tuple[str, ...]]] = {
    "corrugator": (1, ("left", "right")),
    "procerus": (1, ("midline",)),
    "frontalis": (2, ("left", "right")),
    "temporalis": (4, ("left", "right")),
    "occipitalis": (3, ("left", "right")),
    "cervical_paraspinal": (2, ("left", "right")),
    "trapezius": (3, ("left", "right")),
}
#: Follow-the-pain extra sites (Blumenfeld 2010), any side, 5 U each, filled in this order for an int.
FTP_MAX_SITES: dict[str, int] = {"temporalis": 2, "occipitalis": 2, "trapezius": 4}
PREEMPT_MAX_UNITS = 155
PREEMPT_FTP_MAX_UNITS = 195

CD_SUBTYPES: tuple[str, ...] = ("torticollis", "laterocollis", "anterocollis", "retrocollis")
#: Commonly published Botox ranges per muscle per side per session, U (reference §4, marked *verify*).
CD_RANGES: dict[str, tuple[float, float]] = {
    "sternocleidomastoid": (15, 100),
    "splenius_capitis": (30, 150),
    "semispinalis_capitis": (50, 100),
    "levator_scapulae": (25, 100),
    "scalenes": (15, 50),
    "trapezius": (50, 150),
}
#: Suggested starting units per muscle per side and how many sites they are split into (each site
#: stays at or under 50 U). Clinicians set the actual units.
CD_DEFAULTS: dict[str, tuple[float, int]] = {
    "sternocleidomastoid": (40, 2),
    "splenius_capitis": (50, 2),
    "semispinalis_capitis": (50, 2),
    "levator_scapulae": (40, 2),
    "scalenes": (20, 1),
    "trapezius": (50, 2),
}


@dataclass(frozen=True)
class Site:
    """One planned injection site. ``units`` are Botox U. ``position`` is ``(view, x, y)`` from anatomy."""

    muscle: str
    side: str
    units: float
    follow_the_pain: bool
    site_id: str
    position: tuple[str, float, float]


@dataclass(frozen=True)
class MuscleLimit:
    """Per-muscle limit used by the dose checker (Botox U).

    When ``per_side`` is True the limits apply to each side separately, else to both sides together.
    ``typical_range`` is the published range (CD) shown to the clinician.
    """

    muscle: str
    max_units: float
    max_sites: int | None
    per_side: bool
    typical_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class Protocol:
    """A template. ``max_total_units`` is the session hard limit (None: no template limit)."""

    key: str
    name: str
    indication: str
    product: str
    sites: tuple[Site, ...]
    total_units: float
    max_total_units: float | None
    muscle_limits: Mapping[str, MuscleLimit]
    units_per_0_1_ml: float | None
    notes: tuple[str, ...] = ()

    __hash__ = None  # type: ignore[assignment]

    @property
    def site_count(self) -> int:
        return len(self.sites)

    def site_ids(self) -> frozenset[str]:
        return frozenset(s.site_id for s in self.sites)


def _site(
    muscle: str, side: str, units: float, n: int, ftp: bool = False, pos_index: int | None = None
) -> Site:
    sid = f"{muscle}_{side}_{'ftp_' if ftp else ''}{n}"
    return Site(
        muscle,
        side,
        units,
        ftp,
        sid,
        anatomy.site_position(muscle, side, n - 1 if pos_index is None else pos_index),
    )


def _ftp_counts(follow_the_pain: bool | int | Mapping[str, int]) -> dict[str, int]:
    if isinstance(follow_the_pain, bool):
        return dict(FTP_MAX_SITES) if follow_the_pain else {}
    if isinstance(follow_the_pain, int):
        n = check_int(follow_the_pain, "follow_the_pain", 0, sum(FTP_MAX_SITES.values()), "sites")
        out: dict[str, int] = {}
        for m, cap in FTP_MAX_SITES.items():
            take = min(cap, n)
            if take:
                out[m] = take
            n -= take
        return out
    if isinstance(follow_the_pain, Mapping):
        out = {}
        for m, k in follow_the_pain.items():
            check_choice(m, "follow_the_pain muscle", tuple(FTP_MAX_SITES))
            out[m] = check_int(k, f"follow_the_pain {m}", 0, FTP_MAX_SITES[m], "sites")
        return out
    raise ValueError(f"follow_the_pain: {follow_the_pain!r} is not a bool, int or mapping")


def preempt(follow_the_pain: bool | int | Mapping[str, int] = False, pain_side: str = "both") -> Protocol:
    """The PREEMPT paradigm: 31 fixed sites × 5 U = 155 U (Botox label).

    ``follow_the_pain`` adds up to 8 sites of 5 U (PREEMPT trial protocol, not in the US label):
    True = all 8; an int n = the first n of temporalis 2, occipitalis 2, trapezius 4 (in that order);
    a mapping ``{muscle: count}`` chooses exactly. ``pain_side`` (left|right|both) places the extra sites
    at the predominant pain side; ``both`` alternates starting on the left.
    """
    check_choice(pain_side, "pain_side", ("left", "right", "both"))
    counts = _ftp_counts(follow_the_pain)
    sites: list[Site] = []
    for muscle, (per_side, sides) in PREEMPT_SITES.items():
        for side in sides:
            for i in range(1, per_side + 1):
                sites.append(_site(muscle, side, PREEMPT_UNITS_PER_SITE, i))
    for muscle, k in counts.items():
        per_side_n = {"left": 0, "right": 0}
        for j in range(k):
            side = pain_side if pain_side != "both" else ("left", "right")[j % 2]
            per_side_n[side] += 1
            fixed = PREEMPT_SITES[muscle][0]
            sites.append(
                _site(
                    muscle, side, PREEMPT_UNITS_PER_SITE, per_side_n[side], True, fixed + per_side_n[side] - 1
                )
            )
    ftp = any(s.follow_the_pain for s in sites)
    return Protocol(
        key="preempt_ftp" if ftp else "preempt",
        name="PREEMPT with follow-the-pain" if ftp else "PREEMPT (31 sites, 155 U)",
        indication="chronic_migraine",
        product="botox",
        sites=tuple(sites),
        total_units=sum(s.units for s in sites),
        max_total_units=PREEMPT_FTP_MAX_UNITS if ftp else PREEMPT_MAX_UNITS,
        muscle_limits=preempt_muscle_limits(ftp),
        units_per_0_1_ml=PREEMPT_UNITS_PER_0_1_ML,
        notes=(
            "5 U (0.1 mL) per site; 30-gauge 0.5 inch needle (1 inch may be needed for thick neck muscles).",
            "Re-treat every 12 weeks; judge response after 2 cycles.",
        ),
    )


def preempt_muscle_limits(follow_the_pain: bool) -> dict[str, MuscleLimit]:
    """Per-muscle maxima (both sides together): fixed sites, plus the follow-the-pain maximum if allowed."""
    out = {}
    for muscle, (per_side, sides) in PREEMPT_SITES.items():
        n = per_side * len(sides) + (FTP_MAX_SITES.get(muscle, 0) if follow_the_pain else 0)
        out[muscle] = MuscleLimit(muscle, n * PREEMPT_UNITS_PER_SITE, n, per_side=False)
    return out


def cervical_dystonia(subtype: str, side: str | None = None) -> Protocol:
    """Cervical-dystonia starting template (Botox U; ranges marked *verify per clinic* in the reference).

    ``side`` is the direction of the abnormal posture and is required for torticollis (the side the chin
    turns to) and laterocollis (the side the head tilts to); anterocollis/retrocollis are bilateral.
    Torticollis: contralateral sternocleidomastoid + ipsilateral splenius capitis. Laterocollis:
    ipsilateral sternocleidomastoid, scalenes, levator scapulae, splenius capitis. Anterocollis: both
    sternocleidomastoids and scalenes. Retrocollis: both splenius capitis, semispinalis capitis and upper
    trapezius. Default units are suggestions inside each muscle's range; the clinician sets the units.
    """
    check_choice(subtype, "subtype", CD_SUBTYPES)
    targets: list[tuple[str, str]]
    if subtype in ("torticollis", "laterocollis"):
        if side is None:
            raise ValueError(f"side: {subtype} needs the side (left or right) the head turns or tilts to")
        check_choice(side, "side", ("left", "right"))
        other = "left" if side == "right" else "right"
        if subtype == "torticollis":
            targets = [("sternocleidomastoid", other), ("splenius_capitis", side)]
        else:
            targets = [
                (m, side) for m in ("sternocleidomastoid", "scalenes", "levator_scapulae", "splenius_capitis")
            ]
        key = f"cd_{subtype}_{side}"
    else:
        if side is not None:
            raise ValueError(f"side: {subtype} is bilateral; pass side=None")
        muscles = (
            ("sternocleidomastoid", "scalenes")
            if subtype == "anterocollis"
            else ("splenius_capitis", "semispinalis_capitis", "trapezius")
        )
        targets = [(m, s) for m in muscles for s in ("left", "right")]
        key = f"cd_{subtype}"
    sites: list[Site] = []
    for muscle, s in targets:
        units, n = CD_DEFAULTS[muscle]
        for i in range(1, n + 1):
            sites.append(_site(muscle, s, units / n, i))
    limits = {
        m: MuscleLimit(m, hi, None, per_side=True, typical_range=(lo, hi))
        for m, (lo, hi) in CD_RANGES.items()
    }
    label = subtype if side is None else f"{subtype} to the {side}"
    return Protocol(
        key=key,
        name=f"Cervical dystonia: {label}",
        indication="cervical_dystonia",
        product="botox",
        sites=tuple(sites),
        total_units=sum(x.units for x in sites),
        max_total_units=None,
        muscle_limits=limits,
        units_per_0_1_ml=None,
        notes=(
            "Starting template only: dose is individualised; toxin-naive patients start lower.",
            "Keep total sternocleidomastoid dose at or under 100 U to lower dysphagia risk.",
        ),
    )


PROTOCOL_KEYS: tuple[str, ...] = (
    "preempt",
    "preempt_ftp",
    "cd_torticollis_left",
    "cd_torticollis_right",
    "cd_laterocollis_left",
    "cd_laterocollis_right",
    "cd_anterocollis",
    "cd_retrocollis",
)


def get(key: str) -> Protocol:
    """Canonical template for a session's ``protocol`` key (``preempt_ftp`` = all 8 follow-the-pain sites)."""
    check_choice(key, "protocol", PROTOCOL_KEYS)
    if key == "preempt":
        return preempt()
    if key == "preempt_ftp":
        return preempt(True)
    parts = key.split("_")
    return cervical_dystonia(parts[1], parts[2] if len(parts) > 2 else None)

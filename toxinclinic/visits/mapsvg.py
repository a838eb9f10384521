"""Data for the head-and-neck injection map (inline SVG), drawn from the engine's anatomy coordinates.

Each view (front, back) is a 0..100 box in ``toxinclinic.clinical.anatomy``; the two boxes sit side by
side in one SVG so the same drawing serves the charting screen, the signed note and the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from toxinclinic.clinical._common import fmt_units

VIEW_OFFSET = {"front": (2.0, 9.0), "back": (110.0, 9.0)}
VIEWBOX = "0 0 212 111"


@dataclass(frozen=True)
class MapSite:
    site_id: str
    label: str
    muscle: str
    side: str
    units: str
    cx: float
    cy: float
    follow_the_pain: bool
    flagged: bool

    @property
    def accessible_name(self) -> str:
        return f"{self.label}, {self.units} U"


def map_sites(sites: Iterable[Any], flagged_muscles: Iterable[str] = ()) -> list[MapSite]:
    """``sites``: InjectionSite rows or the note's site dicts (label, muscle, side, units, view, x, y)."""
    flagged = set(flagged_muscles)
    out = []
    for s in sites:
        get = s.get if isinstance(s, Mapping) else lambda k, s=s: getattr(s, k)
        dx, dy = VIEW_OFFSET[get("view")]
        out.append(
            MapSite(
                site_id=get("site_id"),
                label=get("label"),
                muscle=get("muscle"),
                side=get("side"),
                units=fmt_units(float(get("units"))),
                cx=round(get("x") + dx, 2),
                cy=round(get("y") + dy, 2),
                follow_the_pain=bool(get("follow_the_pain")),
                flagged=get("muscle") in flagged,
            )
        )
    return out


def flagged_muscles(findings: Iterable[Any]) -> set[str]:
    """Muscles named by a hard stop (drawn with a red ring)."""
    out = set()
    for f in findings:
        sev = f.get("severity") if isinstance(f, Mapping) else f.severity
        muscle = f.get("muscle") if isinstance(f, Mapping) else f.muscle
        if sev == "hard_stop" and muscle:
            out.add(muscle)
    return out


def map_context(
    sites: Iterable[Any], findings: Iterable[Any] = (), *, interactive: bool = False
) -> dict[str, Any]:
    return {
        "map_sites": map_sites(sites, flagged_muscles(findings)),
        "interactive": interactive,
        "views": [(v, off[0]) for v, off in VIEW_OFFSET.items()],
    }

"""Approximate injection-site positions for drawing a head-and-neck map (SVG) from engine data.

Coordinates are ``(view, x, y)`` in a 0..100 box per view; ``view`` is ``front`` or ``back``.
``left``/``right`` are the *patient's* sides: in the front view the patient's left is on the viewer's
right (higher x); in the back view the patient's left is on the viewer's left (lower x).
Positions are illustrative, not anatomical guidance.
"""

from __future__ import annotations

from ._common import check_choice

VIEWS: tuple[str, ...] = ("front", "back")
SIDES: tuple[str, ...] = ("left", "right", "midline")

MUSCLE_LABELS: dict[str, str] = {
    "corrugator": "Corrugator",
    "procerus": "Procerus",
    "frontalis": "Frontalis",
    "temporalis": "Temporalis",
    "occipitalis": "Occipitalis",
    "cervical_paraspinal": "Cervical paraspinal group",
    "trapezius": "Trapezius",
    "sternocleidomastoid": "Sternocleidomastoid",
    "splenius_capitis": "Splenius capitis",
    "semispinalis_capitis": "Semispinalis capitis",
    "levator_scapulae": "Levator scapulae",
    "scalenes": "Scalenes",
}
MUSCLES: tuple[str, ...] = tuple(MUSCLE_LABELS)
MIDLINE_MUSCLES: frozenset[str] = frozenset({"procerus"})

Point = tuple[str, float, float]


def _mirror(points: list[Point]) -> dict[str, list[Point]]:
    """Given the patient's *right*-side points, derive the left side by mirroring x about 50."""
    return {"right": points, "left": [(v, 100 - x, y) for v, x, y in points]}


# Right-side points. Front view: patient's right is the viewer's left (x < 50).
# Back view: patient's right is the viewer's right (x > 50).
SITE_POSITIONS: dict[str, dict[str, list[Point]]] = {
    "corrugator": _mirror([("front", 44, 27)]),
    "procerus": {"midline": [("front", 50, 29)]},
    "frontalis": _mirror([("front", 42, 16), ("front", 34, 18)]),
    "temporalis": _mirror(
        [
            ("front", 24, 22),
            ("front", 22, 30),
            ("front", 27, 15),
            ("front", 25, 36),
            ("front", 20, 25),
            ("front", 28, 28),
        ]
    ),
    "occipitalis": _mirror(
        [("back", 58, 26), ("back", 64, 20), ("back", 66, 30), ("back", 61, 34), ("back", 69, 24)]
    ),
    "cervical_paraspinal": _mirror([("back", 54, 46), ("back", 55, 53)]),
    "trapezius": _mirror(
        [
            ("back", 64, 62),
            ("back", 72, 66),
            ("back", 80, 70),
            ("back", 68, 60),
            ("back", 76, 64),
            ("back", 84, 72),
            ("back", 60, 58),
        ]
    ),
    "sternocleidomastoid": _mirror([("front", 40, 55), ("front", 43, 62), ("front", 46, 68)]),
    "splenius_capitis": _mirror([("back", 58, 42), ("back", 60, 48), ("back", 57, 38)]),
    "semispinalis_capitis": _mirror([("back", 53, 40), ("back", 53, 44), ("back", 52, 36)]),
    "levator_scapulae": _mirror([("back", 63, 52), ("back", 66, 58), ("back", 61, 49)]),
    "scalenes": _mirror([("front", 36, 60), ("front", 34, 65), ("front", 38, 56)]),
}


def check_muscle_side(muscle: str, side: str) -> None:
    """ValueError for an unknown muscle/side or a side that muscle cannot have (procerus is midline)."""
    check_choice(muscle, "muscle", MUSCLES)
    check_choice(side, "side", SIDES)
    if muscle in MIDLINE_MUSCLES and side != "midline":
        raise ValueError(f"side: {muscle} is a midline muscle; got {side!r}")
    if muscle not in MIDLINE_MUSCLES and side == "midline":
        raise ValueError(f"side: {muscle} is injected left or right, not midline")


def site_position(muscle: str, side: str, index: int) -> Point:
    """Position of the ``index``-th (0-based) site of ``muscle`` on ``side``; cycles past the last point."""
    check_muscle_side(muscle, side)
    pts = SITE_POSITIONS[muscle][side]
    return pts[index % len(pts)]

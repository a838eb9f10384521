"""Validated outcome scales (clinical reference §8): MIDAS, HIT-6, TWSTRS, Tsui, pain NRS, PGIC.

Incomplete forms are refused (ValueError naming the item); a total of zero is a valid score.
Integers are required where the instrument uses whole numbers, and ``bool`` is never accepted as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._common import check_int, check_number

# ---------------------------------------------------------------------------------------------- MIDAS

MIDAS_ITEMS: tuple[str, ...] = (
    "days of missed work or school because of headaches",
    "days productivity at work or school was reduced by half or more",
    "days household work was not done",
    "days household productivity was reduced by half or more",
    "days family, social or leisure activities were missed",
)
MIDAS_GRADES: tuple[tuple[str, int, int | None, str], ...] = (
    ("I", 0, 5, "little or no disability"),
    ("II", 6, 10, "mild disability"),
    ("III", 11, 20, "moderate disability"),
    ("IV", 21, None, "severe disability"),
)


@dataclass(frozen=True)
class MidasResult:
    """MIDAS total (days, 0–450 over the last 3 months) and grade I–IV."""

    answers: tuple[int, ...]
    total: int
    grade: str
    label: str


def midas_grade(total: int) -> tuple[str, str]:
    for grade, lo, hi, label in MIDAS_GRADES:
        if total >= lo and (hi is None or total <= hi):
            return grade, label
    raise ValueError(f"MIDAS total: {total} is below 0")


def midas(answers: Sequence[int]) -> MidasResult:
    """Score the 5 MIDAS items (each 0–90 days in the last 3 months). Total = sum; grades per Stewart et al.

    The two extra items (headache days, pain 0–10) are not scored and must not be passed here.
    """
    answers = tuple(answers)
    if len(answers) != 5:
        raise ValueError(f"MIDAS: expected 5 answers, got {len(answers)}")
    for i, a in enumerate(answers, 1):
        if isinstance(a, int) and not isinstance(a, bool) and a > 90:
            raise ValueError(f"MIDAS item {i}: {a} is above 90 days")
        check_int(a, f"MIDAS item {i}", 0, 90, "days")
    total = sum(answers)
    grade, label = midas_grade(total)
    return MidasResult(answers, total, grade, label)


# ---------------------------------------------------------------------------------------------- HIT-6

HIT6_POINTS: dict[str, int] = {"never": 6, "rarely": 8, "sometimes": 10, "very often": 11, "always": 13}
HIT6_BANDS: tuple[tuple[str, int, int, str], ...] = (
    ("little_or_none", 36, 49, "little or no impact"),
    ("some", 50, 55, "some impact"),
    ("substantial", 56, 59, "substantial impact"),
    ("severe", 60, 78, "severe impact"),
)


@dataclass(frozen=True)
class Hit6Result:
    """HIT-6 total (36–78) and impact band."""

    answers: tuple[str, ...]
    points: tuple[int, ...]
    total: int
    band: str
    label: str


def hit6_band(total: int) -> tuple[str, str]:
    for band, lo, hi, label in HIT6_BANDS:
        if lo <= total <= hi:
            return band, label
    raise ValueError(f"HIT-6 total: {total} is outside 36..78")


def hit6(answers: Sequence[str]) -> Hit6Result:
    """Score HIT-6: six answers from never|rarely|sometimes|very often|always (6/8/10/11/13 points).

    Answers are matched case-insensitively and ``very_often`` is accepted for ``very often``.
    """
    if isinstance(answers, str):
        raise ValueError("HIT-6: expected a list of 6 answers, got a single string")
    answers = tuple(answers)
    if len(answers) != 6:
        raise ValueError(f"HIT-6: expected 6 answers, got {len(answers)}")
    norm: list[str] = []
    for i, a in enumerate(answers, 1):
        key = a.strip().lower().replace("_", " ") if isinstance(a, str) else None
        if key not in HIT6_POINTS:
            raise ValueError(
                f"HIT-6 item {i}: {a!r} is not one of never, rarely, sometimes, very often, always"
            )
        norm.append(key)
    points = tuple(HIT6_POINTS[a] for a in norm)
    total = sum(points)
    band, label = hit6_band(total)
    return Hit6Result(tuple(norm), points, total, band, label)


# --------------------------------------------------------------------------------------------- TWSTRS


@dataclass(frozen=True)
class TwstrsResult:
    """TWSTRS (Consky & Lang): severity 0–35, disability 0–30, pain 0–20, total 0–85."""

    severity: float
    disability: int
    pain: float
    total: float
    disability_items: tuple[int, ...] | None = None


def twstrs(*, severity: float, disability: int | Sequence[int], pain: float) -> TwstrsResult:
    """Score TWSTRS. ``disability`` is a total (0–30) or the 6 items (0–5 each).

    Severity and pain may be fractional: the pain subscale averages best/worst/usual ratings, and some
    severity items are scored in half points.
    """
    sev = check_number(severity, "TWSTRS severity", minimum=0, maximum=35)
    items: tuple[int, ...] | None = None
    if isinstance(disability, Sequence) and not isinstance(disability, str):
        items = tuple(disability)
        if len(items) != 6:
            raise ValueError(f"TWSTRS disability: expected 6 items, got {len(items)}")
        for i, v in enumerate(items, 1):
            check_int(v, f"TWSTRS disability item {i}", 0, 5)
        dis = sum(items)
    else:
        dis = check_int(disability, "TWSTRS disability", 0, 30)
    p = check_number(pain, "TWSTRS pain", minimum=0, maximum=20)
    return TwstrsResult(sev, dis, p, sev + dis + p, items)


TWSTRS_DISABILITY_ITEMS: tuple[str, ...] = (
    "work (job or housework)",
    "activities of daily living (eating, dressing, washing)",
    "driving",
    "reading",
    "television",
    "activities outside the home",
)


@dataclass(frozen=True)
class TwstrsPainResult:
    """TWSTRS pain subscale (0–20) = severity (0–10) + duration (0–5) + disability due to pain (0–5).

    Severity = (worst + best + 2 × usual) / 4 from 0–10 ratings of neck pain over the last week.
    """

    worst: int
    best: int
    usual: int
    severity: float
    duration: int
    disability: int
    total: float


def twstrs_pain(*, worst: int, best: int, usual: int, duration: int, disability: int) -> TwstrsPainResult:
    """Score the patient-rated TWSTRS pain subscale (Consky & Lang).

    ``worst``/``best``/``usual`` are 0–10 ratings of neck pain in the last week (best <= usual <= worst);
    ``duration`` 0–5 (share of the time pain is present); ``disability`` 0–5 (how much pain limits activity).
    """
    w = check_int(worst, "TWSTRS pain worst", 0, 10)
    b = check_int(best, "TWSTRS pain best", 0, 10)
    u = check_int(usual, "TWSTRS pain usual", 0, 10)
    if b > w:
        raise ValueError(f"TWSTRS pain best: {b} is above the worst rating {w}")
    if not b <= u <= w:
        raise ValueError(f"TWSTRS pain usual: {u} must lie between best ({b}) and worst ({w})")
    du = check_int(duration, "TWSTRS pain duration", 0, 5)
    di = check_int(disability, "TWSTRS pain disability", 0, 5)
    severity = (w + b + 2 * u) / 4
    return TwstrsPainResult(w, b, u, severity, du, di, severity + du + di)


@dataclass(frozen=True)
class TwstrsPatientResult:
    """The patient-rated parts of TWSTRS: disability (0–30) + pain (0–20) = 0–50 (no clinician severity)."""

    disability: int
    disability_items: tuple[int, ...]
    pain: TwstrsPainResult
    total: float


def twstrs_patient(*, disability: Sequence[int], pain: TwstrsPainResult) -> TwstrsPatientResult:
    """Score the patient-completed TWSTRS parts: the 6 disability items (0–5 each) and the pain subscale.

    The severity subscale is clinician-rated and is not part of this score; pass all three to
    :func:`twstrs` for the full 0–85 total.
    """
    if isinstance(disability, str) or not isinstance(disability, Sequence):
        raise ValueError("TWSTRS disability: expected the 6 item scores")
    items = tuple(disability)
    if len(items) != 6:
        raise ValueError(f"TWSTRS disability: expected 6 items, got {len(items)}")
    for i, v in enumerate(items, 1):
        check_int(v, f"TWSTRS disability item {i}", 0, 5)
    if not isinstance(pain, TwstrsPainResult):
        raise ValueError("TWSTRS pain: expected a twstrs_pain() result")
    dis = sum(items)
    return TwstrsPatientResult(dis, items, pain, dis + pain.total)


# ----------------------------------------------------------------------------------------------- Tsui


@dataclass(frozen=True)
class TsuiResult:
    """Tsui et al. 1986 score (0–25)."""

    total: int
    movement: int
    shoulder_elevation: int
    tremor: int


def tsui(
    *,
    rotation: int,
    tilt: int,
    flexion_extension: int,
    duration: int,
    shoulder_elevation: int,
    tremor_severity: int = 0,
    tremor_duration: int = 1,
) -> TsuiResult:
    """(rotation 0–3 + tilt 0–3 + flexion/extension 0–3) × duration (1 intermittent, 2 constant)
    + shoulder elevation 0–3 + tremor severity (0 none, 1–2) × tremor duration (1–2). Range 0–25.
    """
    r = check_int(rotation, "Tsui rotation", 0, 3)
    t = check_int(tilt, "Tsui tilt", 0, 3)
    fe = check_int(flexion_extension, "Tsui flexion/extension", 0, 3)
    du = check_int(duration, "Tsui duration", 1, 2)
    sh = check_int(shoulder_elevation, "Tsui shoulder elevation", 0, 3)
    ts = check_int(tremor_severity, "Tsui tremor severity", 0, 2)
    td = check_int(tremor_duration, "Tsui tremor duration", 1, 2)
    movement = (r + t + fe) * du
    tremor = ts * td
    return TsuiResult(movement + sh + tremor, movement, sh, tremor)


# ------------------------------------------------------------------------------------------ NRS, PGIC


@dataclass(frozen=True)
class NrsResult:
    value: int
    label: str


def nrs(value: int) -> NrsResult:
    """Pain numeric rating scale, whole numbers 0 (no pain) to 10 (worst imaginable)."""
    v = check_int(value, "pain NRS", 0, 10)
    label = "no pain" if v == 0 else "mild" if v <= 3 else "moderate" if v <= 6 else "severe"
    return NrsResult(v, label)


PGIC_LABELS: dict[int, str] = {
    1: "very much improved",
    2: "much improved",
    3: "minimally improved",
    4: "no change",
    5: "minimally worse",
    6: "much worse",
    7: "very much worse",
}


@dataclass(frozen=True)
class PgicResult:
    value: int
    label: str


def pgic(value: int) -> PgicResult:
    """Patient Global Impression of Change, 1 (very much improved) to 7 (very much worse)."""
    v = check_int(value, "PGIC", 1, 7)
    return PgicResult(v, PGIC_LABELS[v])

"""Headache diary: day classification, period summaries and medication-overuse headache.

Definitions follow the clinical reference §1–2 (IHS 2018 trial guidelines, PREEMPT, ICHD-3):

* headache day — headache lasting >= ``headache_threshold_hours`` (default 4 h), or of any duration when a
  triptan or ergot was taken for it;
* migraine day — a headache day meeting ICHD-3 1.1 C (>= 2 of one-sided, pulsating, moderate/severe,
  worse with activity) and D (nausea or vomiting, or light *and* sound sensitivity), or with aura, or
  relieved by a triptan/ergot (relief by any other medicine does not count);
* moderate/severe day — a headache day whose peak severity was moderate or severe (trials count
  "moderate/severe headache days", so a day without a qualifying headache is not counted);
* acute-medication day — any acute medicine taken, also counted per class.

Two code paths give identical results: the per-day path (:func:`classify_day`, :func:`summarize`) that the
rest of the engine uses, and a columnar numpy path (:func:`classify_bulk`, :func:`summarize_bulk`) for
population-scale work. The test-suite checks their equivalence with hypothesis.
"""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ._common import PeriodResult, Verdict, check_choice, check_date, check_number

SEVERITIES: tuple[str, ...] = ("none", "mild", "moderate", "severe")
MEDICATION_CLASSES: tuple[str, ...] = (
    "triptan",
    "ergot",
    "nsaid",
    "simple_analgesic",
    "combination_analgesic",
    "opioid",
    "gepant",
    "ditan",
    "other",
)
MEDICATION_CLASS_LABELS: dict[str, str] = {
    "triptan": "triptan",
    "ergot": "ergot (ergotamine, dihydroergotamine)",
    "nsaid": "NSAID (ibuprofen, naproxen, aspirin …)",
    "simple_analgesic": "simple analgesic (paracetamol)",
    "combination_analgesic": "combination analgesic",
    "opioid": "opioid",
    "gepant": "gepant (rimegepant, ubrogepant …)",
    "ditan": "ditan (lasmiditan)",
    "other": "other acute medicine",
}
#: Bit of each medication class in :attr:`DiaryColumns.medications`.
MED_BIT: dict[str, int] = {c: 1 << i for i, c in enumerate(MEDICATION_CLASSES)}
_TRIPTAN_ERGOT = MED_BIT["triptan"] | MED_BIT["ergot"]
_SIMPLE = MED_BIT["simple_analgesic"] | MED_BIT["nsaid"]
# ICHD-3 8.2.6 names ergotamine, triptans, simple analgesics, NSAIDs, opioids; not combination analgesics.
_MULTIPLE = MED_BIT["ergot"] | MED_BIT["triptan"] | _SIMPLE | MED_BIT["opioid"]
_SEVERITY_CODE = {s: i for i, s in enumerate(SEVERITIES)}

DEFAULT_HEADACHE_THRESHOLD_HOURS = 4.0
DEFAULT_MIN_RECORDED_PER_28 = 20
PERIOD_MODES = ("calendar_months", "28_day")
MOH_TITLE = "Medication-overuse headache (ICHD-3 8.2)"


#: The yes/no fields of a diary day, in the order the bulk columns use.
BOOL_FIELDS: tuple[str, ...] = (
    "headache",
    "unilateral",
    "pulsating",
    "aggravated_by_activity",
    "nausea",
    "vomiting",
    "photophobia",
    "phonophobia",
    "aura",
    "relieved_by_acute",
)


@dataclass(frozen=True)
class DiaryDay:
    """One patient's diary record for one calendar day (00:00–23:59 local time).

    ``duration_hours`` is the longest continuous headache in hours (0–24). When ``headache`` is False the
    duration must be 0 and severity ``"none"``; the other feature flags are then ignored.
    ``acute_medications`` lists medication *classes* taken that day (any iterable; stored as a tuple).
    """

    date: date
    headache: bool = False
    duration_hours: float = 0
    severity: str = "none"
    unilateral: bool = False
    pulsating: bool = False
    aggravated_by_activity: bool = False
    nausea: bool = False
    vomiting: bool = False
    photophobia: bool = False
    phonophobia: bool = False
    aura: bool = False
    acute_medications: tuple[str, ...] = ()
    relieved_by_acute: bool = False

    def __post_init__(self) -> None:
        check_date(self.date, "date")
        for name in BOOL_FIELDS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: {getattr(self, name)!r} is not True/False")
        check_number(self.duration_hours, "duration_hours", minimum=0, maximum=24)
        check_choice(self.severity, "severity", SEVERITIES)
        meds = self.acute_medications
        if isinstance(meds, str) or not isinstance(meds, Iterable):
            raise ValueError(f"acute_medications: {meds!r} is not a list of medication classes")
        meds = tuple(meds)
        for i, m in enumerate(meds, 1):
            check_choice(m, f"acute_medications item {i}", MEDICATION_CLASSES)
        object.__setattr__(self, "acute_medications", meds)
        if not self.headache:
            if self.duration_hours != 0:
                raise ValueError("duration_hours: must be 0 when headache is False")
            if self.severity != "none":
                raise ValueError("severity: must be 'none' when headache is False")


@dataclass(frozen=True)
class DayClass:
    """How one diary day counts. ``reasons`` explains each True flag in plain language."""

    date: date
    headache_day: bool
    migraine_day: bool
    moderate_severe_day: bool
    acute_medication_day: bool
    triptan_or_ergot_day: bool
    medication_classes: frozenset[str]
    reasons: list[str] = field(compare=False)


def classify_day(
    day: DiaryDay, headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS
) -> DayClass:
    """Classify one day. ``headache_threshold_hours`` is configurable (default 4 h, IHS 2018 / PREEMPT)."""
    meds = frozenset(day.acute_medications)
    te = "triptan" in meds or "ergot" in meds
    reasons: list[str] = []
    headache_day = False
    if day.headache:
        if day.duration_hours >= headache_threshold_hours:
            headache_day = True
            reasons.append(f"headache {day.duration_hours:g} h (>= {headache_threshold_hours:g} h)")
        elif te:
            headache_day = True
            reasons.append(
                f"headache {day.duration_hours:g} h treated with a triptan/ergot (any duration counts)"
            )
        else:
            reasons.append(
                f"headache {day.duration_hours:g} h is under {headache_threshold_hours:g} h and "
                "was not treated with a triptan/ergot: not a headache day"
            )
    migraine_day = False
    moderate_severe = headache_day and day.severity in ("moderate", "severe")
    if headache_day:
        c = sum(
            (
                day.unilateral,
                day.pulsating,
                day.severity in ("moderate", "severe"),
                day.aggravated_by_activity,
            )
        )
        d = day.nausea or day.vomiting or (day.photophobia and day.phonophobia)
        if c >= 2 and d:
            migraine_day = True
            reasons.append(
                f"migraine features: {c} of 4 pain characteristics (ICHD-3 1.1 C) and "
                "nausea/vomiting or light and sound sensitivity (D)"
            )
        elif day.aura:
            migraine_day = True
            reasons.append("migraine day: aura")
        elif day.relieved_by_acute and te:
            migraine_day = True
            reasons.append("migraine day: relieved by a triptan/ergot")
        if moderate_severe:
            reasons.append(f"peak severity {day.severity}")
    if meds:
        reasons.append("acute medication: " + ", ".join(sorted(meds)))
    return DayClass(day.date, headache_day, migraine_day, moderate_severe, bool(meds), te, meds, reasons)


# --------------------------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class PeriodSummary:
    """Counts for one period ``[start, end]`` (inclusive calendar days).

    Raw counts are of *recorded* days. ``*_per_28`` = ``count × 28 / days_recorded`` (trial convention) and
    ``*_per_30`` = ``count × 30 / days_recorded``; both are None when nothing was recorded.
    ``sufficient`` means ``days_recorded >= min_days_required`` (default 20 of 28 days scaled to the
    period length and rounded up: 28 d → 20, 30 d → 22, 31 d → 23).
    """

    start: date
    end: date
    days_in_period: int
    days_recorded: int
    completeness: float
    min_days_required: int
    sufficient: bool
    headache_days: int
    migraine_days: int
    moderate_severe_days: int
    acute_medication_days: int
    triptan_or_ergot_days: int
    simple_or_nsaid_days: int
    multiple_class_days: int
    medication_days_by_class: dict[str, int]
    headache_days_per_28: float | None
    migraine_days_per_28: float | None
    moderate_severe_days_per_28: float | None
    acute_medication_days_per_28: float | None
    headache_days_per_30: float | None
    migraine_days_per_30: float | None
    moderate_severe_days_per_30: float | None
    acute_medication_days_per_30: float | None
    medication_days_by_class_per_28: dict[str, float | None]
    medication_days_by_class_per_30: dict[str, float | None]

    __hash__ = None  # type: ignore[assignment]

    @property
    def unrecorded_days(self) -> int:
        return self.days_in_period - self.days_recorded


def normalise(count: int, days_recorded: int, to_days: int = 28) -> float | None:
    """``count × to_days / days_recorded`` (None when nothing was recorded)."""
    if days_recorded <= 0:
        return None
    return count * to_days / days_recorded


def fmt_rate(v: float | None) -> str:
    """A normalised count for messages ("n/a" when nothing was recorded)."""
    return "n/a" if v is None else f"{v:.1f}"


@functools.lru_cache(maxsize=1024)
def min_days_required(days_in_period: int, min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28) -> int:
    """Completeness threshold scaled to the period length, rounded up (exact rational arithmetic)."""
    return math.ceil(Fraction(str(min_recorded_per_28)) * days_in_period / 28)


def _check_period(start: date, end: date) -> int:
    check_date(start, "start")
    check_date(end, "end")
    if end < start:
        raise ValueError(f"end: {end.isoformat()} is before start {start.isoformat()}")
    return (end - start).days + 1


def _make_summary(
    start: date,
    end: date,
    recorded: int,
    headache: int,
    migraine: int,
    modsev: int,
    acute: int,
    te: int,
    simple: int,
    multiple: int,
    by_class: Sequence[int],
    min_recorded_per_28: float,
) -> PeriodSummary:
    n = (end - start).days + 1
    need = min_days_required(n, min_recorded_per_28)
    cls = {c: int(by_class[i]) for i, c in enumerate(MEDICATION_CLASSES)}
    return PeriodSummary(
        start=start,
        end=end,
        days_in_period=n,
        days_recorded=recorded,
        completeness=recorded / n,
        min_days_required=need,
        sufficient=recorded >= need,
        headache_days=headache,
        migraine_days=migraine,
        moderate_severe_days=modsev,
        acute_medication_days=acute,
        triptan_or_ergot_days=te,
        simple_or_nsaid_days=simple,
        multiple_class_days=multiple,
        medication_days_by_class=cls,
        headache_days_per_28=normalise(headache, recorded),
        migraine_days_per_28=normalise(migraine, recorded),
        moderate_severe_days_per_28=normalise(modsev, recorded),
        acute_medication_days_per_28=normalise(acute, recorded),
        headache_days_per_30=normalise(headache, recorded, 30),
        migraine_days_per_30=normalise(migraine, recorded, 30),
        moderate_severe_days_per_30=normalise(modsev, recorded, 30),
        acute_medication_days_per_30=normalise(acute, recorded, 30),
        medication_days_by_class_per_28={c: normalise(v, recorded) for c, v in cls.items()},
        medication_days_by_class_per_30={c: normalise(v, recorded, 30) for c, v in cls.items()},
    )


def summarize(
    days: Iterable[DiaryDay],
    start: date,
    end: date,
    *,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> PeriodSummary:
    """Summarise the diary days falling in ``[start, end]``; days outside are ignored entirely.

    Raises ValueError when ``end`` is before ``start`` or two records in the period share a date.
    """
    _check_period(start, end)
    seen: set[date] = set()
    counts = [0] * 8
    by_class = [0] * len(MEDICATION_CLASSES)
    for day in days:
        if not isinstance(day, DiaryDay):
            raise ValueError(f"days: {day!r} is not a DiaryDay")
        if not (start <= day.date <= end):
            continue
        if day.date in seen:
            raise ValueError(f"days: {day.date.isoformat()} is recorded twice (one record per day)")
        seen.add(day.date)
        dc, dm = _day_counts(classify_day(day, headache_threshold_hours))
        counts = [a + b for a, b in zip(counts, dc, strict=True)]
        by_class = [a + b for a, b in zip(by_class, dm, strict=True)]
    return _make_summary(start, end, *counts, by_class, min_recorded_per_28)


#: The day counts of a :class:`PeriodSummary` that :func:`period_summary` rebuilds it from (besides
#: ``medication_days_by_class``).
COUNT_FIELDS: tuple[str, ...] = (
    "days_recorded",
    "headache_days",
    "migraine_days",
    "moderate_severe_days",
    "acute_medication_days",
    "triptan_or_ergot_days",
    "simple_or_nsaid_days",
    "multiple_class_days",
)


def _check_count(value: int, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ValueError(f"{name}: {value!r} is not a whole number of days from 0 to {limit}")
    return value


def period_summary(
    start: date,
    end: date,
    *,
    days_recorded: int,
    headache_days: int,
    migraine_days: int,
    moderate_severe_days: int,
    acute_medication_days: int,
    triptan_or_ergot_days: int,
    simple_or_nsaid_days: int,
    multiple_class_days: int,
    medication_days_by_class: Mapping[str, int],
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> PeriodSummary:
    """A summary rebuilt from stored day counts for ``[start, end]`` (e.g. a month kept up to date one day
    at a time with :func:`replace_day`); identical to :func:`summarize` over the same days.

    Raises ValueError when a count is negative, exceeds ``days_recorded``, or ``days_recorded`` exceeds the
    period; or a medication class is unknown.
    """
    n = _check_period(start, end)
    recorded = _check_count(days_recorded, "days_recorded", n)
    counts = [
        _check_count(v, name, recorded)
        for name, v in (
            ("headache_days", headache_days),
            ("migraine_days", migraine_days),
            ("moderate_severe_days", moderate_severe_days),
            ("acute_medication_days", acute_medication_days),
            ("triptan_or_ergot_days", triptan_or_ergot_days),
            ("simple_or_nsaid_days", simple_or_nsaid_days),
            ("multiple_class_days", multiple_class_days),
        )
    ]
    for c in medication_days_by_class:
        check_choice(c, "medication_days_by_class", MEDICATION_CLASSES)
    by_class = [
        _check_count(medication_days_by_class.get(c, 0), f"medication_days_by_class[{c}]", recorded)
        for c in MEDICATION_CLASSES
    ]
    return _make_summary(start, end, recorded, *counts, by_class, min_recorded_per_28)


def _day_counts(k: DayClass) -> tuple[list[int], list[int]]:
    meds = k.medication_classes
    counts = [
        1,
        k.headache_day,
        k.migraine_day,
        k.moderate_severe_day,
        k.acute_medication_day,
        k.triptan_or_ergot_day,
        bool(meds & {"simple_analgesic", "nsaid"}),
        bool(meds & {"ergot", "triptan", "simple_analgesic", "nsaid", "opioid"}),
    ]
    return [int(x) for x in counts], [int(c in meds) for c in MEDICATION_CLASSES]


def replace_day(
    s: PeriodSummary,
    old: DayClass | None,
    new: DayClass | None,
    *,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> PeriodSummary:
    """The summary after one day's record changes: added (``old`` None), replaced, or removed (``new``
    None). ``old`` must be how that day was counted in ``s``. Equal to re-running :func:`summarize` over
    the changed days, without reading the other days of the period.

    Raises ValueError when a day lies outside ``[s.start, s.end]``, ``old`` and ``new`` are different
    dates, or removing ``old`` would make a count negative (``old`` was not counted in ``s``).
    """
    for name, k in (("old", old), ("new", new)):
        if k is not None and not (s.start <= k.date <= s.end):
            raise ValueError(
                f"{name}: {k.date.isoformat()} is outside the period "
                f"{s.start.isoformat()} to {s.end.isoformat()}"
            )
    if old is not None and new is not None and old.date != new.date:
        raise ValueError(f"new: {new.date.isoformat()} replaces a different day ({old.date.isoformat()})")
    counts = [
        s.days_recorded,
        s.headache_days,
        s.migraine_days,
        s.moderate_severe_days,
        s.acute_medication_days,
        s.triptan_or_ergot_days,
        s.simple_or_nsaid_days,
        s.multiple_class_days,
    ]
    by_class = [s.medication_days_by_class.get(c, 0) for c in MEDICATION_CLASSES]
    for k, sign in ((old, -1), (new, 1)):
        if k is None:
            continue
        dc, dm = _day_counts(k)
        counts = [a + sign * b for a, b in zip(counts, dc, strict=True)]
        by_class = [a + sign * b for a, b in zip(by_class, dm, strict=True)]
    if min(counts + by_class) < 0:
        raise ValueError(f"old: {old.date.isoformat() if old else ''} was not counted in this summary")
    return _make_summary(s.start, s.end, *counts, by_class, min_recorded_per_28)


# -------------------------------------------------------------------------------------- columnar path


@dataclass(frozen=True)
class DiaryColumns:
    """Diary days as parallel numpy arrays (one element per day) for :func:`classify_bulk`.

    ``date`` is ``datetime64[D]``; ``severity`` holds codes 0–3 (index into :data:`SEVERITIES`);
    ``medications`` is a bitmask of :data:`MED_BIT`; ``duration_hours`` is float64 hours.
    """

    date: npt.NDArray[np.datetime64]
    headache: npt.NDArray[np.bool_]
    duration_hours: npt.NDArray[np.float64]
    severity: npt.NDArray[np.int8]
    unilateral: npt.NDArray[np.bool_]
    pulsating: npt.NDArray[np.bool_]
    aggravated_by_activity: npt.NDArray[np.bool_]
    nausea: npt.NDArray[np.bool_]
    vomiting: npt.NDArray[np.bool_]
    photophobia: npt.NDArray[np.bool_]
    phonophobia: npt.NDArray[np.bool_]
    aura: npt.NDArray[np.bool_]
    relieved_by_acute: npt.NDArray[np.bool_]
    medications: npt.NDArray[np.uint16]

    _BOOL = BOOL_FIELDS

    def __len__(self) -> int:
        return int(self.headache.shape[0])

    @classmethod
    def from_days(cls, days: Sequence[DiaryDay]) -> DiaryColumns:
        """Convert validated :class:`DiaryDay` records to columns."""

        def col(name: str) -> npt.NDArray[np.bool_]:
            return np.fromiter((getattr(d, name) for d in days), dtype=bool, count=len(days))

        meds = np.fromiter(
            (sum(MED_BIT[m] for m in set(d.acute_medications)) for d in days),
            dtype=np.uint16,
            count=len(days),
        )
        return cls(
            date=np.array([d.date for d in days], dtype="datetime64[D]"),
            duration_hours=np.fromiter((d.duration_hours for d in days), dtype=np.float64, count=len(days)),
            severity=np.fromiter((_SEVERITY_CODE[d.severity] for d in days), dtype=np.int8, count=len(days)),
            medications=meds,
            **{name: col(name) for name in cls._BOOL},
        )

    def validate(self) -> None:
        """Apply the :class:`DiaryDay` rules to every element; ValueError names the first bad row."""
        n = len(self)
        for name in ("date", "duration_hours", "severity", "medications", *self._BOOL):
            arr = getattr(self, name)
            if arr.shape != (n,):
                raise ValueError(f"{name}: expected shape ({n},), got {arr.shape}")
        for name in self._BOOL:
            if getattr(self, name).dtype != np.bool_:
                raise ValueError(f"{name}: expected a bool array")

        def first_bad(mask: npt.NDArray[np.bool_], msg: str) -> None:
            if mask.any():
                i = int(np.argmax(mask))
                raise ValueError(f"row {i}: {msg}")

        dur = self.duration_hours
        first_bad(~np.isfinite(dur) | (dur < 0) | (dur > 24), "duration_hours must be 0..24 hours")
        first_bad((self.severity < 0) | (self.severity > 3), "severity code must be 0..3")
        first_bad(self.medications >= (1 << len(MEDICATION_CLASSES)), "unknown medication class bit")
        first_bad(
            ~self.headache & ((dur != 0) | (self.severity != 0)),
            "duration_hours must be 0 and severity 'none' when headache is False",
        )


@dataclass(frozen=True)
class BulkClass:
    """Per-day flags from :func:`classify_bulk`, same meaning as :class:`DayClass`."""

    headache_day: npt.NDArray[np.bool_]
    migraine_day: npt.NDArray[np.bool_]
    moderate_severe_day: npt.NDArray[np.bool_]
    acute_medication_day: npt.NDArray[np.bool_]
    triptan_or_ergot_day: npt.NDArray[np.bool_]


def classify_bulk(
    cols: DiaryColumns,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    *,
    validate: bool = True,
) -> BulkClass:
    """Vectorised :func:`classify_day`; identical results element by element."""
    if validate:
        cols.validate()
    te = (cols.medications & _TRIPTAN_ERGOT) != 0
    hd = cols.headache & ((cols.duration_hours >= headache_threshold_hours) | te)
    modsev = cols.severity >= 2
    c = (
        cols.unilateral.view(np.int8)
        + cols.pulsating.view(np.int8)
        + modsev.view(np.int8)
        + cols.aggravated_by_activity.view(np.int8)
    ) >= 2
    d = cols.nausea | cols.vomiting | (cols.photophobia & cols.phonophobia)
    mig = hd & ((c & d) | cols.aura | (cols.relieved_by_acute & te))
    return BulkClass(hd, mig, hd & modsev, cols.medications != 0, te)


@dataclass(frozen=True)
class BulkSummary:
    """Per-group counts from :func:`summarize_bulk`; :meth:`summary` gives the :class:`PeriodSummary`."""

    start: npt.NDArray[np.datetime64]
    end: npt.NDArray[np.datetime64]
    days_recorded: npt.NDArray[np.int64]
    headache_days: npt.NDArray[np.int64]
    migraine_days: npt.NDArray[np.int64]
    moderate_severe_days: npt.NDArray[np.int64]
    acute_medication_days: npt.NDArray[np.int64]
    triptan_or_ergot_days: npt.NDArray[np.int64]
    simple_or_nsaid_days: npt.NDArray[np.int64]
    multiple_class_days: npt.NDArray[np.int64]
    medication_days_by_class: npt.NDArray[np.int64]  # shape (groups, len(MEDICATION_CLASSES))
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28

    def __len__(self) -> int:
        return int(self.days_recorded.shape[0])

    def headache_days_per_28(self) -> npt.NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.days_recorded > 0, self.headache_days * 28 / self.days_recorded, np.nan)

    def summary(self, i: int) -> PeriodSummary:
        return _make_summary(
            self.start[i].astype(date),
            self.end[i].astype(date),
            int(self.days_recorded[i]),
            int(self.headache_days[i]),
            int(self.migraine_days[i]),
            int(self.moderate_severe_days[i]),
            int(self.acute_medication_days[i]),
            int(self.triptan_or_ergot_days[i]),
            int(self.simple_or_nsaid_days[i]),
            int(self.multiple_class_days[i]),
            [int(v) for v in self.medication_days_by_class[i]],
            self.min_recorded_per_28,
        )


def summarize_bulk(
    cols: DiaryColumns,
    start: date | npt.NDArray[np.datetime64],
    end: date | npt.NDArray[np.datetime64],
    groups: npt.NDArray[np.integer] | None = None,
    *,
    n_groups: int | None = None,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
    validate: bool = True,
) -> BulkSummary:
    """Vectorised :func:`summarize` for many groups (e.g. patients or patient-months) at once.

    ``groups[i]`` is the group index (0..n_groups-1) of day ``i``; ``start``/``end`` are one date for all
    groups or a ``datetime64[D]`` array with one entry per group. Days outside their group's period are
    ignored; a duplicate date inside a group's period raises ValueError, as in :func:`summarize`.
    """
    n = len(cols)
    if groups is None:
        groups = np.zeros(n, dtype=np.int64)
        n_groups = 1 if n_groups is None else n_groups
    groups = np.asarray(groups)
    if groups.shape != (n,) or not np.issubdtype(groups.dtype, np.integer):
        raise ValueError(f"groups: expected an integer array of shape ({n},)")
    if n_groups is None:
        n_groups = int(groups.max()) + 1 if n else 0
    if n and (groups.min() < 0 or groups.max() >= n_groups):
        raise ValueError(f"groups: indices must be in 0..{n_groups - 1}")
    s = np.broadcast_to(np.asarray(start, dtype="datetime64[D]"), (n_groups,)).astype(np.int64)
    e = np.broadcast_to(np.asarray(end, dtype="datetime64[D]"), (n_groups,)).astype(np.int64)
    if n_groups and (e < s).any():
        i = int(np.argmax(e < s))
        raise ValueError(f"end: group {i} ends before it starts")
    k = classify_bulk(cols, headache_threshold_hours, validate=validate)
    d = cols.date.astype("datetime64[D]").astype(np.int64)
    sg = s[groups]
    inp = (d >= sg) & (d <= e[groups])
    g = groups[inp]
    offset = (d - sg)[inp]
    span = int((e - s).max()) + 1 if n_groups else 1
    key = g.astype(np.int64) * span + offset
    if n_groups * span <= 4 * n + 1_000_000:
        dup = np.bincount(key, minlength=n_groups * span) > 1
        bad = int(np.argmax(dup)) if dup.any() else -1
    else:
        uniq, cnt = np.unique(key, return_counts=True)
        bad = int(uniq[np.argmax(cnt > 1)]) if (cnt > 1).any() else -1
    if bad >= 0:
        grp, off = divmod(bad, span)
        day = (np.datetime64(int(s[grp]), "D") + off).astype(date)
        raise ValueError(f"days: {day.isoformat()} is recorded twice in group {grp} (one record per day)")

    meds = cols.medications[inp]

    def count(flag: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.bincount(g[flag], minlength=n_groups).astype(np.int64)

    by_class = (
        np.stack([count((meds & bit) != 0) for bit in MED_BIT.values()], axis=1)
        if n_groups
        else np.zeros((0, len(MEDICATION_CLASSES)), dtype=np.int64)
    )
    return BulkSummary(
        start=s.astype("datetime64[D]"),
        end=e.astype("datetime64[D]"),
        days_recorded=np.bincount(g, minlength=n_groups).astype(np.int64),
        headache_days=count(k.headache_day[inp]),
        migraine_days=count(k.migraine_day[inp]),
        moderate_severe_days=count(k.moderate_severe_day[inp]),
        acute_medication_days=count(k.acute_medication_day[inp]),
        triptan_or_ergot_days=count(k.triptan_or_ergot_day[inp]),
        simple_or_nsaid_days=count((meds & _SIMPLE) != 0),
        multiple_class_days=count((meds & _MULTIPLE) != 0),
        medication_days_by_class=by_class,
        min_recorded_per_28=min_recorded_per_28,
    )


# ------------------------------------------------------------------------------ multi-period verdicts


def assessment_periods(
    end: date, mode: str = "calendar_months", count: int = 3
) -> list[tuple[str, date, date]]:
    """The ``count`` periods a diagnosis is judged on, oldest first, as ``(label, start, end)``.

    ``calendar_months``: the full months ending on or before ``end`` (``end``'s own month counts only if
    ``end`` is its last day). ``28_day``: consecutive 28-day blocks, the last ending on ``end``.
    """
    check_date(end, "end")
    check_choice(mode, "periods", PERIOD_MODES)
    out: list[tuple[str, date, date]] = []
    if mode == "28_day":
        for i in range(count - 1, -1, -1):
            pe = end - timedelta(days=28 * i)
            ps = pe - timedelta(days=27)
            out.append((f"{ps.isoformat()} to {pe.isoformat()}", ps, pe))
        return out
    y, m = end.year, end.month
    if end.day != calendar.monthrange(y, m)[1]:
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    for _ in range(count):
        out.append((f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


PeriodRule = Callable[[PeriodSummary], tuple[bool, list[str]]]


def period_summaries(
    days: Iterable[DiaryDay],
    end: date,
    *,
    periods: str = "calendar_months",
    count: int = 3,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> list[tuple[str, PeriodSummary]]:
    """``(label, summary)`` of each assessment period ending at ``end`` (see :func:`assessment_periods`)."""
    days = list(days)
    return [
        (
            label,
            summarize(
                days,
                ps,
                pe,
                headache_threshold_hours=headache_threshold_hours,
                min_recorded_per_28=min_recorded_per_28,
            ),
        )
        for label, ps, pe in assessment_periods(end, periods, count)
    ]


def evaluate_periods(
    days: Sequence[DiaryDay],
    end: date,
    rule: PeriodRule,
    *,
    what: str,
    periods: str = "calendar_months",
    count: int = 3,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """Apply ``rule`` to each assessment period; every period must meet it.

    Status: ``not_met`` if any sufficiently recorded period fails (missing data cannot rescue it);
    otherwise ``insufficient_data`` if any period is below the completeness threshold; otherwise ``met``.
    """
    limits = {
        "headache_threshold_hours": headache_threshold_hours,
        "min_recorded_per_28": min_recorded_per_28,
    }
    summaries = period_summaries(days, end, periods=periods, count=count, **limits)
    return evaluate_summaries(summaries, rule, what=what, periods=periods, **limits)


def evaluate_summaries(
    summaries: Sequence[tuple[str, PeriodSummary]],
    rule: PeriodRule,
    *,
    what: str,
    periods: str = "calendar_months",
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """:func:`evaluate_periods` on period summaries already made (``(label, summary)``, oldest first),
    e.g. stored monthly counts rebuilt with :func:`period_summary`. Same verdict, same reasons."""
    check_choice(periods, "periods", PERIOD_MODES)
    if not summaries:
        raise ValueError("summaries: give at least one period")
    count = len(summaries)
    results: list[PeriodResult] = []
    for label, s in summaries:
        ps, pe = s.start, s.end
        if not s.sufficient:
            results.append(
                PeriodResult(
                    label,
                    ps,
                    pe,
                    s,
                    False,
                    "insufficient_data",
                    (
                        f"{label}: only {s.days_recorded} of {s.days_in_period} days recorded "
                        f"(need {s.min_days_required}); not assessed",
                    ),
                )
            )
            continue
        ok, why = rule(s)
        results.append(
            PeriodResult(
                label, ps, pe, s, ok, "met" if ok else "not_met", tuple(f"{label}: {r}" for r in why)
            )
        )
    if any(r.status == "not_met" for r in results):
        status = "not_met"
    elif any(r.status == "insufficient_data" for r in results):
        status = "insufficient_data"
    else:
        status = "met"
    head = {
        "met": f"{what}: met in each of the {count} periods",
        "not_met": f"{what}: not met (every one of the {count} periods must meet it)",
        "insufficient_data": f"{what}: insufficient diary data to decide",
    }[status]
    reasons = [head] + [r for p in results for r in p.reasons]
    return Verdict(
        met=status == "met",
        status=status,
        reasons=reasons,
        periods=tuple(results),
        numbers={
            "periods": periods,
            "count": count,
            "headache_threshold_hours": headache_threshold_hours,
            "min_recorded_per_28": min_recorded_per_28,
        },
    )


def _unrecorded_note(s: PeriodSummary, count: int, need: int, what: str) -> list[str]:
    if count < need <= count + s.unrecorded_days:
        return [f"{s.unrecorded_days} unrecorded days: {what} count of {count} is a minimum"]
    return []


def _moh_rule(
    headache_days_min: int,
    single_class_days_min: int,
    simple_analgesic_days_min: int,
    multiple_class_days_min: int,
) -> PeriodRule:
    """ICHD-3 8.2 applied to one period (see :func:`medication_overuse`)."""

    def rule(s: PeriodSummary) -> tuple[bool, list[str]]:
        why: list[str] = []
        hd_ok = s.headache_days >= headache_days_min
        why.append(
            f"{s.headache_days} headache days ({'>=' if hd_ok else '<'} {headache_days_min}; "
            f"{fmt_rate(s.headache_days_per_30)} per 30 days)"
        )
        if not hd_ok:
            why += _unrecorded_note(s, s.headache_days, headache_days_min, "headache-day")
        by = s.medication_days_by_class
        overused: list[str] = []
        for c in ("triptan", "ergot", "opioid", "combination_analgesic"):
            if by[c] >= single_class_days_min:
                overused.append(f"{c} on {by[c]} days (>= {single_class_days_min})")
        if s.simple_or_nsaid_days >= simple_analgesic_days_min:
            overused.append(
                f"simple analgesics/NSAIDs on {s.simple_or_nsaid_days} days (>= {simple_analgesic_days_min})"
            )
        # 8.2.6 is about a *combination*: one class alone (e.g. NSAIDs on 14 days) must meet its own limit.
        used = [c for c in ("ergot", "triptan", "simple_analgesic", "nsaid", "opioid") if by[c]]
        if not overused and len(used) >= 2 and s.multiple_class_days >= multiple_class_days_min:
            overused.append(
                f"several classes together on {s.multiple_class_days} days "
                f"(>= {multiple_class_days_min}; {', '.join(used)}; none overused singly)"
            )
        if overused:
            why.append("overuse: " + "; ".join(overused))
        else:
            why.append(
                f"no overuse: triptan {by['triptan']}, ergot {by['ergot']}, opioid {by['opioid']}, "
                f"combination analgesic {by['combination_analgesic']} days (each < "
                f"{single_class_days_min}); simple/NSAID {s.simple_or_nsaid_days} "
                f"(< {simple_analgesic_days_min}); classes together {s.multiple_class_days} "
                f"(< {multiple_class_days_min})"
            )
        why.append(
            f"not in the verdict: gepant {by['gepant']}, ditan {by['ditan']}, other {by['other']} days"
        )
        return hd_ok and bool(overused), why

    return rule


def medication_overuse(
    days: Sequence[DiaryDay],
    end: date,
    *,
    periods: str = "calendar_months",
    headache_days_min: int = 15,
    single_class_days_min: int = 10,
    simple_analgesic_days_min: int = 15,
    multiple_class_days_min: int = 10,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """Medication-overuse headache (ICHD-3 8.2) from a diary, judged on the 3 periods ending at ``end``.

    Each period needs >= ``headache_days_min`` headache days and one of: a triptan, ergot, opioid or
    combination analgesic on >= 10 days; simple analgesics (paracetamol or NSAID, aspirin included) on
    >= 15 days; or, when nothing is overused singly, any combination of ergots, triptans, simple
    analgesics, NSAIDs and opioids on >= 10 days (8.2.6; at least two of these classes must have been
    used). Gepants, ditans and "other" are reported but do
    not enter the verdict. Counts are **raw recorded days** in periods that pass the completeness check:
    ICHD-3 counts days that happened, and extrapolating unrecorded days could create a diagnosis from
    missing data. Normalised figures are carried in ``periods[i].summary``.
    """

    limits = {
        "headache_threshold_hours": headache_threshold_hours,
        "min_recorded_per_28": min_recorded_per_28,
    }
    return medication_overuse_from_summaries(
        period_summaries(days, end, periods=periods, **limits),
        periods=periods,
        headache_days_min=headache_days_min,
        single_class_days_min=single_class_days_min,
        simple_analgesic_days_min=simple_analgesic_days_min,
        multiple_class_days_min=multiple_class_days_min,
        **limits,
    )


def medication_overuse_from_summaries(
    summaries: Sequence[tuple[str, PeriodSummary]],
    *,
    periods: str = "calendar_months",
    headache_days_min: int = 15,
    single_class_days_min: int = 10,
    simple_analgesic_days_min: int = 15,
    multiple_class_days_min: int = 10,
    headache_threshold_hours: float = DEFAULT_HEADACHE_THRESHOLD_HOURS,
    min_recorded_per_28: float = DEFAULT_MIN_RECORDED_PER_28,
) -> Verdict:
    """:func:`medication_overuse` from the summaries of the assessment periods (``(label, summary)``,
    oldest first, as :func:`assessment_periods` gives them): the same verdict without re-reading the
    days, for callers that keep per-period counts (:func:`period_summary`, :func:`replace_day`)."""
    return evaluate_summaries(
        summaries,
        _moh_rule(
            headache_days_min, single_class_days_min, simple_analgesic_days_min, multiple_class_days_min
        ),
        what=MOH_TITLE,
        periods=periods,
        headache_threshold_hours=headache_threshold_hours,
        min_recorded_per_28=min_recorded_per_28,
    )

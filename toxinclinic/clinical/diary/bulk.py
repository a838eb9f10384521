"""The columnar numpy path: classify and summarise millions of diary days at once, with results identical
to the per-day path (:func:`.classify_day`, :func:`.summarize`; property-tested)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from .days import (
    _SEVERITY_CODE,
    BOOL_FIELDS,
    DEFAULT_HEADACHE_THRESHOLD_HOURS,
    DEFAULT_MIN_RECORDED_PER_28,
    MED_BIT,
    MEDICATION_CLASSES,
    MULTIPLE_CLASSES,
    SIMPLE_OR_NSAID,
    TRIPTAN_OR_ERGOT,
    DiaryDay,
    med_mask,
)
from .periods import PeriodSummary, _make_summary

_TRIPTAN_OR_ERGOT_MASK = med_mask(TRIPTAN_OR_ERGOT)
_SIMPLE_OR_NSAID_MASK = med_mask(SIMPLE_OR_NSAID)
_MULTIPLE_MASK = med_mask(MULTIPLE_CLASSES)


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
    te = (cols.medications & _TRIPTAN_OR_ERGOT_MASK) != 0
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
        simple_or_nsaid_days=count((meds & _SIMPLE_OR_NSAID_MASK) != 0),
        multiple_class_days=count((meds & _MULTIPLE_MASK) != 0),
        medication_days_by_class=by_class,
        min_recorded_per_28=min_recorded_per_28,
    )

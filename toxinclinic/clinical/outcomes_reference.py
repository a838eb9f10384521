"""Published outcomes beside which the clinic's own are shown (clinical README, "Published outcomes").

Every figure here was read in the source it cites (abstract or full text) in December 2026; a figure that
could not be read in a source is left out rather than remembered. Changes are in headache days per
28 days (the trials' unit; the clinic's figures are per 30 recorded days — close, but not identical, and
the screen says so). ``after_cycles`` is the number of 12-weekly sessions behind the figure
(week 24 = 2, week 56/60 = 5, week 108 = 9) so it can stand beside the clinic's cycle of that number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    short: str
    authors: str
    title: str
    journal: str
    year: int
    doi: str
    pmid: str | None = None


@dataclass(frozen=True)
class Figure:
    source: str  # Source.key
    measure: str  # headache_days | responders_50 | hit6 | hit6_responders
    arm: str  # what the patients received
    timepoint: str
    after_cycles: int
    value: float
    unit: str
    note: str = ""


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "preempt_24",
            "PREEMPT pooled, week 24",
            "Dodick DW, Turkel CC, DeGryse RE, Aurora SK, Silberstein SD, Lipton RB, Diener HC, Brin MF",
            "OnabotulinumtoxinA for treatment of chronic migraine: pooled results from the double-blind, "
            "randomized, placebo-controlled phases of the PREEMPT clinical program",
            "Headache 50(6):921–936",
            2010,
            "10.1111/j.1526-4610.2010.01678.x",
        ),
        Source(
            "preempt_24_responders",
            "PREEMPT pooled, week 24 (responder analysis)",
            "Diener HC et al.",
            "Benefits beyond headache days with onabotulinumtoxinA treatment: a pooled PREEMPT analysis",
            "Pain Ther 9(2):683–694",
            2020,
            "10.1007/s40122-020-00198-w",
        ),
        Source(
            "preempt_56",
            "PREEMPT pooled, 56 weeks",
            "Aurora SK et al.",
            "OnabotulinumtoxinA for treatment of chronic migraine: pooled analyses of the 56-week PREEMPT "
            "clinical program",
            "Headache 51(9):1358–1373",
            2011,
            "10.1111/j.1526-4610.2011.01990.x",
            "21883197",
        ),
        Source(
            "preempt_56_completers",
            "PREEMPT, patients who received all 5 cycles",
            "(authors not shown in the abstract read)",
            "OnabotulinumtoxinA for chronic migraine: efficacy, safety, and tolerability in patients who "
            "received all five treatment cycles in the PREEMPT clinical program",
            "Acta Neurol Scand",
            2014,
            "10.1111/ane.12171",
        ),
        Source(
            "compel",
            "COMPEL, open label, 108 weeks",
            "Blumenfeld AM, Stark RJ, Freeman MC, Orejudos A, Manack Adams A",
            "Long-term study of the efficacy and safety of onabotulinumtoxinA for the prevention of chronic "
            "migraine: COMPEL study",
            "J Headache Pain 19(1):13",
            2018,
            "10.1186/s10194-018-0840-8",
            "29404713",
        ),
    )
}

FIGURES: tuple[Figure, ...] = (
    Figure(
        "preempt_24_responders", "responders_50", "onabotulinumtoxinA (n = 688)", "week 24", 2, 44.8, "%",
        "≥ 50% fewer headache days",
    ),
    Figure(
        "preempt_24_responders", "responders_50", "placebo (n = 696)", "week 24", 2, 34.2, "%",
        "≥ 50% fewer headache days",
    ),
    Figure(
        "preempt_24_responders", "hit6_responders", "onabotulinumtoxinA (n = 688)", "week 24", 2, 40.8, "%",
        "HIT-6 ≥ 5 points better",
    ),
    Figure(
        "preempt_24_responders", "hit6_responders", "placebo (n = 696)", "week 24", 2, 25.3, "%",
        "HIT-6 ≥ 5 points better",
    ),
    Figure(
        "preempt_24", "hit6", "onabotulinumtoxinA minus placebo", "week 24", 2, -2.4, "points",
        "difference between the groups in mean change (not a within-group change)",
    ),
    Figure(
        "preempt_56_completers", "headache_days", "onabotulinumtoxinA all 5 cycles (n = 513)", "week 56", 5,
        -12.0, "days per 28", "least-squares mean change, completers only",
    ),
    Figure(
        "preempt_56_completers", "headache_days", "placebo for 2 cycles, then onabotulinumtoxinA (n = 492)",
        "week 56", 5, -11.1, "days per 28", "least-squares mean change, completers only",
    ),
    Figure(
        "compel", "headache_days", "onabotulinumtoxinA 155 U (N = 716; baseline 22.0 days)", "week 60", 5,
        -9.2, "days per 28",
    ),
    Figure(
        "compel", "headache_days", "onabotulinumtoxinA 155 U (N = 716; baseline 22.0 days)", "week 108", 9,
        -10.7, "days per 28",
    ),
    Figure("compel", "hit6", "onabotulinumtoxinA 155 U", "week 108", 9, -7.1, "points"),
)  # fmt: skip

#: What could not be verified from a readable source, said on the screen rather than filled in.
NOT_VERIFIED: tuple[str, ...] = (
    "PREEMPT pooled week-24 mean change in headache days per arm (Dodick 2010): the abstract was not "
    "readable here, so the figures are left out.",
    "PREEMPT 56-week pooled figures of the whole randomised population (Aurora 2011): only the design "
    "and the numbers randomised were readable, so its results are left out; the completers' analysis "
    "(Acta Neurol Scand 2014) is shown instead.",
    "No published cervical-dystonia cycle-by-cycle TWSTRS reference is shown.",
)


def figures_for(measure: str, cycle: int | None = None) -> list[Figure]:
    """Published figures for ``measure`` (``cycle``: only those after that many sessions)."""
    return [f for f in FIGURES if f.measure == measure and (cycle is None or f.after_cycles == cycle)]


def cite(key: str) -> str:
    s = SOURCES[key]
    pm = f"; PMID {s.pmid}" if s.pmid else ""
    return f"{s.authors}. {s.title}. {s.journal}; {s.year}. doi:{s.doi}{pm}"

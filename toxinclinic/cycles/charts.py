"""PNG charts (matplotlib, Agg) of a patient's cycles and of the clinic's outcomes, with alt text that
carries the same numbers (the pages also print them as tables)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from django.conf import settings

from toxinclinic.accounts.locale import format_date
from toxinclinic.clinical import outcomes_reference as ref
from toxinclinic.cycles.report import Report
from toxinclinic.cycles.services import PatientTimeline

# Blue / orange stay apart for common colour-vision deficiencies; markers differ too, so colour is
# never the only cue.
BLUE, ORANGE, GREY = "#2f6db3", "#b35806", "#555555"
_READY = False


def _plt() -> Any:
    global _READY
    if not _READY:
        cfg = Path(getattr(settings, "VAR_DIR", Path("var"))) / "mpl"
        cfg.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("MPLCONFIGDIR", str(cfg))
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams.update({"font.family": ["DejaVu Sans", "sans-serif"], "font.size": 12})
        _READY = True
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    _plt().close(fig)
    return buf.getvalue()


def timeline_png(pt: PatientTimeline) -> tuple[bytes, str]:
    """Monthly headache and migraine days per 30 (migraine) or TWSTRS and pain (dystonia), with a
    marker at each session and the baseline line."""
    plt = _plt()
    import matplotlib.dates as mdates

    fig, ax = plt.subplots(figsize=(5.4, 3.6))
    t = pt.timeline
    alt: list[str] = []
    if pt.is_migraine:
        ms = [m for m in pt.months if m.sufficient and m.headache_days_per_30 is not None]
        xs = [m.month for m in ms]
        ax.plot(xs, [m.headache_days_per_30 for m in ms], "-o", color=BLUE, label="headache days")
        ax.plot(xs, [m.migraine_days_per_30 for m in ms], "--s", color=ORANGE, label="migraine days")
        ax.set_ylabel("days per 30 recorded")
        ax.set_ylim(0, 31)
        base = t.baseline.headache_per_30
        alt.append(
            "Monthly headache days: " + "; ".join(f"{m.month:%b %Y} {m.headache_days_per_30:g}" for m in ms)
            if ms
            else "No complete diary month yet."
        )
    else:
        by: dict[str, list[tuple[Any, float]]] = {"twstrs": [], "pain_nrs": []}
        for rows in [pt.baseline_responses, *(v.scores for v in pt.cycles)]:
            for r in rows:
                if r["instrument"] in by:
                    by[r["instrument"]].append((r["completed_on"], r["total"]))
        for key, label, colour, style in (
            ("twstrs", "TWSTRS", BLUE, "-o"),
            ("pain_nrs", "pain (0–10)", ORANGE, "--s"),
        ):
            pts = sorted(by[key])
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=colour, label=label)
                alt.append(f"{label}: " + "; ".join(f"{format_date(d)} {v:g}" for d, v in pts))
        ax.set_ylabel("score")
        top = max([v for pts in by.values() for _, v in pts] or [10])
        ax.set_ylim(0, top * 1.15 + 1)
        base = t.baseline_scores.get("twstrs")
    if base is not None:
        ax.axhline(base, color=GREY, linestyle=":", label=f"baseline {base:g}")
        alt.append(f"Baseline {base:g}.")
    for v in pt.cycles:
        ax.axvline(v.cycle.start, color=GREY, linewidth=0.8)
        ax.annotate(
            f"{v.cycle.number}", (v.cycle.start, 1), xycoords=("data", "axes fraction"), ha="left", va="top"
        )
    if pt.cycles:
        alt.append("Sessions: " + ", ".join(format_date(v.cycle.start) for v in pt.cycles) + ".")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=10, frameon=False)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %y"))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
    return _png(fig), " ".join(alt)


def report_png(report: Report, measure: str) -> tuple[bytes, str]:
    """Mean change (headache days, or a scale) per cycle with its 95% interval, and the published
    figures beside it."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.4, 3.6))
    rows = [r for r in report.rows_for(measure) if not r.summary.mean.suppressed]
    alt = []
    if rows:
        xs = [r.cycle for r in rows]
        ys = [r.summary.mean.value for r in rows]
        lo = [r.summary.mean.value - (r.summary.mean.low or r.summary.mean.value) for r in rows]
        hi = [(r.summary.mean.high or r.summary.mean.value) - r.summary.mean.value for r in rows]
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt="-o", color=BLUE, capsize=4, label="this clinic (95% CI)")
        alt += [
            f"cycle {r.cycle}: {r.summary.mean.value:g} (95% CI {r.summary.mean.low:g} to "
            f"{r.summary.mean.high:g}, {r.summary.n} patients)"
            for r in rows
        ]
    pubs = [f for f in ref.FIGURES if f.measure == measure]
    labelled: set[tuple[str, int]] = set()
    for f in pubs:
        ax.plot([f.after_cycles], [f.value], "D", color=ORANGE, markersize=7)
        if (f.source, f.after_cycles) not in labelled:  # one label per study and time point
            labelled.add((f.source, f.after_cycles))
            name = ref.SOURCES[f.source].short.split(",")[0]
            ax.annotate(
                f"{name} {f.timepoint}", (f.after_cycles, f.value), fontsize=9, xytext=(6, 2),
                textcoords="offset points",
            )  # fmt: skip
        alt.append(f"{ref.SOURCES[f.source].short} {f.timepoint}: {f.value:g} ({f.arm})")
    if pubs:
        ax.plot([], [], "D", color=ORANGE, label="published")
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.set_xlabel("cycle (sessions given)")
    ax.set_ylabel("mean change from baseline")
    ax.set_xticks(sorted({*(r.cycle for r in rows), *(f.after_cycles for f in pubs)}) or [1])
    ax.set_xlim(0.5, max([9.8, *(r.cycle + 0.5 for r in rows)]))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, fontsize=10, frameon=False)
    text = "; ".join(alt) if alt else "No cycle has 5 or more patients yet."
    return _png(fig), text

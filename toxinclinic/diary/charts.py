"""Server-side SVG trend chart (matplotlib, Agg), cached per patient and data version.

The chart is a picture of numbers the page also prints as a table, so screen-reader users get the
same facts; the image's alt text says where the table is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from toxinclinic.diary.services import TrendRow, month_end

_MPL_READY = False

# Colours chosen for contrast on white and to stay distinct for common colour-vision deficiencies
# (blue / orange); the bars also differ in hatch so colour is never the only cue.
HEADACHE_COLOUR = "#5b8fc7"
MIGRAINE_COLOUR = "#b35806"
CYCLE_SHADE = "#e9eef5"
# Every label is FONT_PX in the SVG, and the SVG is drawn about as wide as a phone's card (360 units), so
# on a 390 px phone the labels stay at 12 px or more (checked in the browser test); desktops scale it up.
FONT_PX = 14
RENDER_VERSION = 2  # bump when the drawing changes: cached SVGs and ETags of older drawings are dropped


def _matplotlib() -> object:
    global _MPL_READY
    if not _MPL_READY:
        cfg = Path(getattr(settings, "VAR_DIR", Path("var"))) / "mpl"
        cfg.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("MPLCONFIGDIR", str(cfg))
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams.update(
            {
                "svg.fonttype": "none",  # keep text as text: smaller files, sharp on any screen
                "font.family": ["DejaVu Sans", "sans-serif"],
                "font.size": FONT_PX,
                "svg.hashsalt": "toxinclinic",  # deterministic ids -> identical bytes for identical data
            }
        )
        _MPL_READY = True
    import matplotlib.pyplot as plt

    return plt


def _x(rows: Sequence[TrendRow], d: dt.date) -> float:
    """Position of a date on the month axis (month i spans [i - 0.5, i + 0.5])."""
    first = rows[0].month
    i = (d.year - first.year) * 12 + d.month - first.month
    days = month_end(d).day
    return i - 0.5 + (d.day - 0.5) / days


def render_trend_svg(rows: Sequence[TrendRow], injections: Sequence[dt.date]) -> bytes:
    plt = _matplotlib()
    n = max(len(rows), 1)
    # Sized for a phone: the SVG is shown at the screen's width, so a small canvas keeps text legible.
    fig, ax = plt.subplots(figsize=(3.6, 3.3), dpi=100)  # type: ignore[attr-defined]
    try:
        xs = list(range(len(rows)))
        inj = [d for d in sorted(injections) if rows and rows[0].month <= d <= month_end(rows[-1].month)]
        # Shade each injection cycle, alternating, so cycles read as blocks.
        edges = [_x(rows, d) for d in inj] + [len(rows) - 0.5]
        for i, (a, b) in enumerate(pairwise(edges)):
            if i % 2 == 0:
                ax.axvspan(a, b, color=CYCLE_SHADE, zorder=0, lw=0)
        for i, d in enumerate(inj, 1):
            x = _x(rows, d)
            ax.axvline(x, color="#1d5c8f", lw=1.2, ls="--", zorder=1)
            near_end = x > len(rows) - 1.5
            ax.annotate(
                f"Inj {i}",
                (x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(-2 if near_end else 2, -2),
                ha="right" if near_end else "left",
                textcoords="offset points",
                va="top",
                fontsize=FONT_PX,
                color="#1d5c8f",
            )
        hd = [r.headache_days if r.headache_days is not None else 0 for r in rows]
        md = [r.migraine_days if r.migraine_days is not None else 0 for r in rows]
        w = 0.4
        b1 = ax.bar([x - w / 2 for x in xs], hd, w, label="Headache days", color=HEADACHE_COLOUR, zorder=2)
        b2 = ax.bar(
            [x + w / 2 for x in xs],
            md,
            w,
            label="Migraine days",
            color=MIGRAINE_COLOUR,
            hatch="//",
            edgecolor="white",
            lw=0,
            zorder=2,
        )
        # Months with too few recorded days are drawn faint: their counts are minimums.
        for r, p1, p2 in zip(rows, b1.patches, b2.patches, strict=True):
            if not r.sufficient:
                p1.set_alpha(0.35)
                p2.set_alpha(0.35)
        step = 1 if n <= 5 else 2 if n <= 10 else 3 if n <= 15 else 4
        ticks, labels = [], []
        for i, r in enumerate(rows):
            if (n - 1 - i) % step:
                continue  # label the latest month and every step-th before it
            lab = r.month.strftime("%b")
            if not labels or r.month.month <= step:
                lab += f"\n{r.month:%Y}"
            ticks.append(i)
            labels.append(lab)
        ax.set_xticks(ticks, labels)
        ax.set_xlim(-0.6, len(rows) - 0.4)
        top = max([*hd, *md, 10])
        ax.set_ylim(0, min(31, top + 4))
        ax.set_ylabel("days in the month")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#d9dee5", lw=0.8, zorder=0)
        from matplotlib.patches import Patch

        handles = [
            Patch(facecolor=HEADACHE_COLOUR, label="Headache days"),
            Patch(facecolor=MIGRAINE_COLOUR, hatch="//", edgecolor="white", label="Migraine days"),
        ]
        ax.legend(
            handles=handles,
            loc="lower left",
            frameon=False,
            fontsize=FONT_PX,
            ncols=1,
            bbox_to_anchor=(0, 1.0),
        )
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        return buf.getvalue()
    finally:
        plt.close(fig)  # type: ignore[attr-defined]


def trend_svg(
    patient_pk: int, version: int, rows: Sequence[TrendRow], injections: Sequence[dt.date]
) -> bytes:
    """Cached by patient, diary data version and the injection dates (a new session changes the chart)."""
    sig = hashlib.sha256(
        ("|".join(d.isoformat() for d in injections) + f"|{rows[-1].month if rows else ''}").encode()
    ).hexdigest()[:16]
    key = f"diary:trend:v{RENDER_VERSION}:{patient_pk}:{version}:{sig}"
    svg = cache.get(key)
    if svg is None:
        svg = render_trend_svg(rows, injections)
        cache.set(key, svg, 60 * 60 * 24)
    return svg


def etag_for(patient_pk: int, version: int, injections: Sequence[dt.date], last_month: dt.date | None) -> str:
    raw = (
        f"v{RENDER_VERSION}:{patient_pk}:{version}:{','.join(d.isoformat() for d in injections)}:{last_month}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:24]

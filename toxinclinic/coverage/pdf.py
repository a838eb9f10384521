"""The packet as a PDF (WeasyPrint), rendered from the same data as the JSON, with the baseline chart as an
inline SVG (bars of headache and migraine days per month, drawn here: geometry only, no rule)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.template.loader import render_to_string

BAR_W, GAP, H, TOP = 36, 28, 160, 20


def baseline_chart(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the template: per month two bars (headache, migraine days per 30), y up to 30."""
    bars = []
    for i, m in enumerate(months):
        x = 40 + i * (2 * BAR_W + GAP)
        for j, (key, css) in enumerate((("headache_days_per_30", "hd"), ("migraine_days_per_30", "mg"))):
            v = m.get(key) or 0
            h = round(min(v, 30) / 30 * H, 1)
            bars.append(
                {"x": x + j * BAR_W, "y": TOP + H - h, "h": h, "w": BAR_W - 4, "css": css, "label": f"{v:g}"}
            )
    return {
        "bars": bars,
        "labels": [
            {
                "x": 40 + i * (2 * BAR_W + GAP) + BAR_W,
                "text": dt.date.fromisoformat(m["month"]).strftime("%b %Y"),
                "recorded": m["days_recorded"],
            }
            for i, m in enumerate(months)
        ],
        "width": 60 + max(len(months), 1) * (2 * BAR_W + GAP),
        "height": TOP + H + 44,
        "base": TOP + H,
        "ticks": [{"y": TOP + H - t / 30 * H, "t": t} for t in (0, 10, 20, 30)],
    }


def render_html(data: dict[str, Any]) -> str:
    return render_to_string(
        "coverage/packet_pdf.html", {"p": data, "chart": baseline_chart(data["baseline_diary"]["months"])}
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    import weasyprint  # lazily: pango is loaded only when a PDF is made

    return weasyprint.HTML(string=render_html(data)).write_pdf()

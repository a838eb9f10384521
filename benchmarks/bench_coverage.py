"""The prior-authorization packet PDF for one demo patient (``coverage.pdf.render_pdf``, WeasyPrint), beside
what it is made of, measured in the same run: the packet's JSON build (queries and the engine), and
WeasyPrint rendering a one-page blank document with the packet's own stylesheet (its fixed cost: fonts,
page set-up, the PDF writer)."""

from __future__ import annotations

import logging
import os
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django

NOTES = """
`coverage` seeds a small demo clinic (`demo_seed`, fixed seed) and takes the patient whose packet is
fullest (the longest HTML: most diary months, sessions, preventives and questionnaire rows), with their
newest authorization; the row's note says which packet it was (initial or renewal, sessions, baseline
months, pages). The choice matters: many demo patients' diaries start after their first injection, and
their packet lists the baseline as missing instead of charting it, a shorter document.
The figure is `render_pdf(build(patient, auth))`, what the packet's PDF download does after its
permission check: the JSON build, the HTML template and WeasyPrint. Two baselines, same run, same
patient: the JSON build alone (what the packet's JSON download costs), and WeasyPrint writing one blank
page with the packet's stylesheet (what any PDF costs here, whatever its content). The note splits one PDF
into its parts (medians of the same repeats): JSON build, template, WeasyPrint layout (`HTML.render`),
PDF writing (`write_pdf`). The first PDF in a process pays once for loading fonts and Pango (shown as
"cold"); the figures are warm medians. WeasyPrint is single-threaded and CPU-bound, so on the shared
2-core machine the load average (in the row's name) moves these figures.
"""

BLANK = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">{style}</head>'
    "<body><p>&#160;</p></body></html>"
)


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    out: Any = None
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), out


def _pick_patient() -> tuple[Any, Any, dict[str, Any]]:
    """The demo patient whose packet is fullest (the longest HTML: most diary months, sessions, trials and
    questionnaire rows), with their newest authorization; ties: lowest id."""
    from toxinclinic.coverage import packet, pdf
    from toxinclinic.coverage.models import PriorAuthorization

    best: tuple[Any, ...] | None = None
    seen: set[int] = set()
    for auth in PriorAuthorization.objects.select_related("patient").order_by("patient_id", "-id"):
        if auth.patient_id in seen:
            continue
        seen.add(auth.patient_id)
        data = packet.build(auth.patient, auth)
        key = (len(pdf.render_html(data)), -auth.patient_id)
        if best is None or key > best[0]:
            best = (key, auth.patient, auth, data)
    if best is None:
        raise AssertionError("the demo clinic has no patient with an authorization")
    return best[1], best[2], best[3]


def run(quick: bool = False) -> list[BenchResult]:
    ensure_django()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    import weasyprint
    from django.core.management import call_command

    from toxinclinic.coverage import packet, pdf

    patients = 8 if quick else 40
    call_command("demo_seed", patients=patients, seed=15, reset=True, verbosity=0)
    patient, auth, _ = _pick_patient()
    what = "renewal" if auth.renewal else "initial"
    repeat = 2 if quick else 9

    t0 = time.perf_counter()
    data = packet.build(patient, auth)
    cold_pdf = pdf.render_pdf(data)
    cold = time.perf_counter() - t0
    assert cold_pdf.startswith(b"%PDF"), "not a PDF"

    t_pdf = best_of(lambda: pdf.render_pdf(packet.build(patient, auth)), repeat=repeat)
    t_json, data = _median(lambda: packet.build(patient, auth), repeat)
    t_html, html = _median(lambda: pdf.render_html(data), repeat)
    t_layout, doc = _median(lambda: weasyprint.HTML(string=html).render(), repeat)
    t_write, body = _median(lambda: doc.write_pdf(), repeat)
    style = re.search(r"<style>.*?</style>", html, re.S)
    blank_html = BLANK.format(style=style.group(0) if style else "")
    t_blank = best_of(lambda: weasyprint.HTML(string=blank_html).write_pdf(), repeat=repeat)

    pages = len(doc.pages)
    months = len(data["baseline_diary"]["months"])
    load = "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    sessions = len((data.get("renewal") or {}).get("sessions", []))
    size = f"{pages} page(s), {len(body) // 1024} KiB"
    who = f"{what} packet, {sessions} sessions, {months} baseline months: {size}"
    parts = (
        f"one PDF: JSON build {t_json * 1000:.1f} ms + template {t_html * 1000:.1f} ms + WeasyPrint layout "
        f"{t_layout * 1000:.0f} ms + PDF writing {t_write * 1000:.0f} ms; cold first PDF {cold * 1000:.0f} ms"
    )
    name = f"packet PDF for one patient (WeasyPrint; {load})"
    return [
        BenchResult(
            name=name,
            figure=t_pdf * 1000,
            unit="ms",
            baseline_name="WeasyPrint, one blank page with the packet's stylesheet",
            baseline=t_blank * 1000,
            higher_is_better=False,
            note=f"{who}; {parts}",
        ),
        BenchResult(
            name=name,
            figure=t_pdf * 1000,
            unit="ms",
            baseline_name="the packet's JSON build alone (queries and the engine)",
            baseline=t_json * 1000,
            higher_is_better=False,
            note="the JSON download's cost; the rest of the PDF's time is WeasyPrint",
        ),
    ]


if __name__ == "__main__":
    import sys

    for r in run(quick="--quick" in sys.argv):
        print(f"{r.name}: {r.figure:.1f} {r.unit}; {r.baseline_name}: {r.baseline:.1f}; ratio {r.ratio:.2f}")
        print(f"  {r.note}")

"""Run ``benchmarks/bench_*.py`` and write docs/benchmarks.md.

Each module exposes ``run(quick: bool) -> list[BenchResult]`` and may set ``NOTES``. A run stores each
group's rows, with when it was measured and the machine's load average then, in
``benchmarks/results/<group>.json``; docs/benchmarks.md is rendered from every stored group. So one group
can be re-measured (``--only worklist``) without re-running the hour-long rest, and the page still says
when and under what load each row was taken.

``--quick`` shrinks the workloads so CI can prove the benchmarks still run without paying for them; its
results go to ``var/bench-quick/`` (never the committed files) unless ``--results`` says otherwise.
``--render`` only re-renders the page from the stored results.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.common import BenchResult

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
QUICK_RESULTS = ROOT / "var" / "bench-quick"


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 1:
        return f"{v:,.2f}"
    return f"{v:.4g}"


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _measure(name: str, quick: bool, console: Console) -> dict[str, Any]:
    console.print(f"[bold]{name}[/bold] …")
    started = datetime.now(UTC)
    load_before = _load()
    t0 = time.perf_counter()
    mod = importlib.import_module(f"benchmarks.{name}")
    rows: list[BenchResult] = list(mod.run(quick=quick))
    seconds = time.perf_counter() - t0
    console.print(f"  done in {seconds:.1f} s")
    return {
        "group": name.removeprefix("bench_"),
        "measured_at": started.strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "load_average": {"before": load_before, "after": _load()},
        "quick": quick,
        "seconds": round(seconds, 1),
        "rows": [asdict(r) for r in rows],
        "notes": getattr(mod, "NOTES", "").strip(),
    }


def _stored(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def render(groups: list[dict[str, Any]]) -> str:
    """The page: one table of every stored row, then when each group ran and its notes."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks.run`); each group's rows are kept in",
        "`benchmarks/results/<group>.json` with the time they were measured and the load average then,",
        "so a group can be re-measured alone (`--only NAME`). Absolute figures on a shared 2-core machine",
        "are noisy; the ratio to a baseline measured in the same run is what we track.",
        "",
        "| group | benchmark | figure | baseline (same run) | ratio | note |",
        "|---|---|---|---|---|---|",
    ]
    for g in groups:
        for raw in g["rows"]:
            r = BenchResult(**raw)
            better = "higher is better" if r.higher_is_better else "lower is better"
            lines.append(
                f"| {g['group']} | {r.name} | {_fmt(r.figure)} {r.unit} | "
                f"{r.baseline_name}: {_fmt(r.baseline)} {r.unit} | {r.ratio:.2f}× ({better}) | {r.note} |"
            )
    lines += [
        "",
        "## When each group was measured",
        "",
        "Rows measured before per-group results were kept (2026-12-02) show no load average.",
        "",
        "| group | measured | took | load average (1 min) before → after | run |",
        "|---|---|---|---|---|",
    ]
    for g in groups:
        la = g["load_average"]
        load = f"{la['before'][0]:.1f} → {la['after'][0]:.1f}" if la else "not recorded"
        took = f"{g['seconds']:,.0f} s" if g["seconds"] else "not recorded"
        lines.append(
            f"| {g['group']} | {g['measured_at']} | {took} | {load} on {g['cores']} cores | "
            f"{'quick (small workloads)' if g['quick'] else 'full'}, Python {g['python']}, {g['machine']} |"
        )
    for g in groups:
        if g["notes"]:
            lines += ["", f"## Notes: {g['group']}", "", g["notes"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small workloads (CI smoke run)")
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--render", action="store_true", help="only re-render the page from stored results")
    parser.add_argument("--results", help="folder of per-group results (default benchmarks/results)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)

    console = Console()
    folder = Path(args.results) if args.results else (QUICK_RESULTS if args.quick else RESULTS)
    folder.mkdir(parents=True, exist_ok=True)
    import benchmarks

    if not args.render:
        names = sorted(
            m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
        )
        for name in names:
            if args.only and args.only not in name:
                continue
            group = _measure(name, args.quick, console)
            (folder / f"{group['group']}.json").write_text(json.dumps(group, indent=1) + "\n")

    groups = _stored(folder)
    table = Table(title="Benchmarks")
    for col in ("group", "benchmark", "figure", "baseline", "ratio"):
        table.add_column(col)
    for g in groups:
        for raw in g["rows"]:
            r = BenchResult(**raw)
            table.add_row(
                g["group"],
                r.name,
                f"{_fmt(r.figure)} {r.unit}",
                f"{_fmt(r.baseline)} {r.unit}",
                f"{r.ratio:.2f}×",
            )
    console.print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(groups))
    console.print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every ``benchmarks/bench_*.py`` and write docs/benchmarks.md.

Each module exposes ``run(quick: bool) -> list[BenchResult]``. ``--quick`` shrinks
the workloads so CI can prove the benchmarks still run without paying for them.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import BenchResult

ROOT = Path(__file__).resolve().parent.parent


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 1:
        return f"{v:,.2f}"
    return f"{v:.4g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small workloads (CI smoke run)")
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)

    console = Console()
    results: list[tuple[str, BenchResult]] = []
    notes: list[tuple[str, str]] = []
    import benchmarks

    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    for name in names:
        if args.only and args.only not in name:
            continue
        console.print(f"[bold]{name}[/bold] …")
        t0 = time.perf_counter()
        mod = importlib.import_module(f"benchmarks.{name}")
        for r in mod.run(quick=args.quick):
            results.append((name, r))
        if getattr(mod, "NOTES", ""):
            notes.append((name.removeprefix("bench_"), mod.NOTES.strip()))
        console.print(f"  done in {time.perf_counter() - t0:.1f} s")

    table = Table(title="Benchmarks")
    for col in ("benchmark", "figure", "baseline", "ratio"):
        table.add_column(col)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, {platform.machine()}"
        f"{' (quick run: small workloads)' if args.quick else ''}.",
        "",
        "Absolute figures on a shared 2-core machine are noisy; the ratio to a baseline measured in the",
        "same run is what we track.",
        "",
        "| group | benchmark | figure | baseline (same run) | ratio | note |",
        "|---|---|---|---|---|---|",
    ]
    for mod_name, r in results:
        better = "higher is better" if r.higher_is_better else "lower is better"
        lines.append(
            f"| {mod_name.removeprefix('bench_')} | {r.name} | {_fmt(r.figure)} {r.unit} | "
            f"{r.baseline_name}: {_fmt(r.baseline)} {r.unit} | {r.ratio:.2f}× ({better}) | {r.note} |"
        )
        table.add_row(r.name, f"{_fmt(r.figure)} {r.unit}", f"{_fmt(r.baseline)} {r.unit}", f"{r.ratio:.2f}×")
    for group, text in notes:
        lines += ["", f"## Notes: {group}", "", text]
    console.print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    console.print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

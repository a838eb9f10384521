"""A rich progress line per table while digests are taken (a large diary table takes a while)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def table_progress(console: Console, verb: str) -> Iterator[Callable[[str, int], None]]:
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task(f"{verb}…", total=None)
        done = {"tables": 0, "rows": 0}

        def advance(table: str, rows: int) -> None:
            done["tables"] += 1
            done["rows"] += rows
            progress.update(
                task, description=f"{verb}: {done['tables']} tables, {done['rows']:,} rows ({table})"
            )

        yield advance

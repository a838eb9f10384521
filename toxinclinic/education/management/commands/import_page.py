"""``manage.py import_page FILE --clinic NAME``: a clinic's current page (plain-text export) → a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toxinclinic.education import importer


class Command(BaseCommand):
    help = (
        "Import a treatment page from a plain-text export of the clinic's current website: provider, "
        "practice, title, publish date (Unix timestamp), body and FAQs. Publishes it unless --draft."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The exported text file (UTF-8).")
        parser.add_argument("--clinic", required=True, help="The clinic's name or public id.")
        parser.add_argument("--draft", action="store_true", help="Save the page as a draft; do not publish.")
        parser.add_argument("--slug", default="", help="The page's address (default: made from the title).")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        try:
            clinic = importer.find_clinic(opts["clinic"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            with path.open("rb") as fh:
                # One byte more than the limit is enough to know the file is too big.
                data = fh.read(importer.MAX_IMPORT_BYTES + 1)
            if len(data) > importer.MAX_IMPORT_BYTES:
                raise importer.ImportProblem(
                    None,
                    f"the file is {path.stat().st_size / 1024 / 1024:.1f} MB; a page export is at most "
                    f"{importer.MAX_IMPORT_BYTES // 1024 // 1024} MB of plain text.",
                )
            parsed = importer.parse(importer.decode(data))
            result = importer.store(parsed, clinic, draft=opts["draft"], slug=opts["slug"])
        except importer.ImportProblem as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from None
        for line in result.lines():
            self.stdout.write(line)

"""``manage.py backup [--out FILE]``: the database and the media files in one archive, with a manifest of
row counts and SHA-256 digests per table and per file (see ``toxinclinic.backup.archive``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone
from rich.console import Console

from toxinclinic.backup.archive import BackupError, Database, create_backup
from toxinclinic.backup.management.commands._progress import table_progress


class Command(BaseCommand):
    # The system checks import every URL conf and view (seconds on a busy machine); a backup or a
    # restore needs none of it, and must work even when a check would fail.
    requires_system_checks: list[str] = []
    help = "Back up the database and the media files into one archive with per-table and per-file digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="Archive to write (default var/backups/toxinclinic-<time>.tar).")

    def handle(self, *args: Any, **opts: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        out = Path(opts["out"] or settings.VAR_DIR / "backups" / f"toxinclinic-{stamp}.tar")
        console = Console(file=self.stdout, highlight=False)
        try:
            db = Database.from_settings(connections["default"].settings_dict)
            with table_progress(console, "Backing up") as advance:
                manifest = create_backup(out, db, Path(settings.MEDIA_ROOT), advance=advance)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        console.print(
            f"Backup written: {out} ({out.stat().st_size:,} bytes) — {len(manifest['tables'])} tables, "
            f"{rows:,} rows, {len(manifest['files'])} media file{'' if len(manifest['files']) == 1 else 's'}."
        )
        console.print(
            "It holds patient data: keep it as safe as the database. "
            f"Restore with: manage.py restore {out} --database-url URL --media-root DIR"
        )

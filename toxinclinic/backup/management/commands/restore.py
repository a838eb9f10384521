"""``manage.py restore ARCHIVE --database-url URL --media-root DIR``: restore a backup into a new, empty
instance and prove it equal to the backup; ``--verify-only`` checks an instance against an archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from toxinclinic.backup.archive import BackupError, Database, read_manifest, restore_backup, verify
from toxinclinic.backup.management.commands._progress import table_progress


class Command(BaseCommand):
    # The system checks import every URL conf and view (seconds on a busy machine); a backup or a
    # restore needs none of it, and must work even when a check would fail.
    requires_system_checks: list[str] = []
    help = (
        "Restore a backup into a new, empty database and media directory, then verify every table and file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The .tar file `manage.py backup` wrote.")
        parser.add_argument(
            "--database-url",
            required=True,
            help="The new, empty database (postgres://… or sqlite:////path/file.sqlite3).",
        )
        parser.add_argument("--media-root", required=True, help="The new, empty media directory.")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Change nothing; compare the instance with the archive.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(file=self.stdout, highlight=False)
        archive, media = Path(opts["archive"]), Path(opts["media_root"])
        try:
            target = Database.from_url(opts["database_url"])
            with table_progress(console, "Verifying" if opts["verify_only"] else "Restoring") as advance:
                if opts["verify_only"]:
                    report = verify(read_manifest(archive), target, media, advance=advance)
                else:
                    report = restore_backup(archive, target, media, advance=advance)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not report.equal:
            raise CommandError("The instance differs from the backup:\n  " + "\n  ".join(report.problems))
        console.print(
            f"{'Verified' if opts['verify_only'] else 'Restored and verified'}: {report.tables} tables and "
            f"{report.rows:,} rows equal to the backup (row counts and SHA-256 per table), "
            f"{report.files} media file{'' if report.files == 1 else 's'} equal (SHA-256)."
        )

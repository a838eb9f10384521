"""Back up the database and the media files into one archive; restore it into a new instance and prove
the copy equal (row counts and SHA-256 per table, size and SHA-256 per file).

PostgreSQL: ``pg_dump`` (custom format) runs on a snapshot exported by the transaction that computes the
digests, so the dump and the manifest describe the same instant even while the clinic keeps writing.
SQLite: the online backup API copies the file consistently, and the digests are taken from the copy.

The archive is a tar file: ``manifest.json``, ``database.dump`` or ``database.sqlite3``, ``media/…``.
It holds patient data: store it as carefully as the database itself.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils import timezone

from toxinclinic.backup.digests import TableDigest, file_digest, media_digests, table_digests

FORMAT = 1
Advance = Callable[[str, int], None]


class BackupError(Exception):
    """Something an operator must fix; the message says what. Nothing was changed."""


@dataclass(frozen=True)
class Database:
    """Where a database is: ``engine`` is ``postgresql`` or ``sqlite``; ``dsn`` a libpq string or a path."""

    engine: str
    dsn: str

    @classmethod
    def from_settings(cls, s: dict[str, Any]) -> Database:
        if "sqlite" in s["ENGINE"]:
            return cls("sqlite", str(s["NAME"]))
        if "postgresql" not in s["ENGINE"]:
            raise BackupError(f"Backups support PostgreSQL and SQLite, not {s['ENGINE']}.")
        from psycopg.conninfo import make_conninfo

        parts = {"dbname": s["NAME"], "user": s.get("USER"), "password": s.get("PASSWORD")}
        parts |= {"host": s.get("HOST"), "port": str(s.get("PORT") or "")}
        return cls("postgresql", make_conninfo(**{k: v for k, v in parts.items() if v}))

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            return cls.from_settings(dj_database_url.parse(url))
        except (ValueError, KeyError) as exc:
            raise BackupError(f"--database-url {url!r} is not a database URL ({exc}).") from exc

    def connect(self) -> Any:
        if self.engine == "sqlite":
            return sqlite3.connect(self.dsn, uri=self.dsn.startswith("file:"))
        import psycopg

        return psycopg.connect(self.dsn)


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.problems


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; on Debian: apt-get install postgresql-client.")
    return path


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def _digests_json(d: dict[str, TableDigest]) -> dict[str, dict[str, Any]]:
    return {t: {"rows": v.rows, "sha256": v.sha256} for t, v in d.items()}


def create_backup(out: Path, db: Database, media_root: Path, *, advance: Advance | None = None) -> dict:
    """Write the archive to ``out`` (atomically: a half-written archive never has the final name)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        staging = Path(tmp)
        if db.engine == "postgresql":
            conn = db.connect()
            try:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                conn.execute("SET TIME ZONE 'UTC'")
                snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                db_file = "database.dump"
                dump = [_tool("pg_dump"), "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}"]
                # pg_dump and the digests read the same snapshot side by side (the snapshot lives as
                # long as this transaction), so the backup takes about the longer of the two, not both.
                with tempfile.TemporaryFile("w+") as err:
                    proc = subprocess.Popen(
                        [*dump, "-f", str(staging / db_file), db.dsn], stdout=subprocess.DEVNULL, stderr=err
                    )
                    try:
                        tables = table_digests(conn, db.engine, advance=advance)
                    finally:
                        code = proc.wait()
                    if code != 0:
                        err.seek(0)
                        raise BackupError(f"pg_dump failed: {err.read().strip()[-2000:]}")
            finally:
                conn.rollback()
                conn.close()
        else:
            db_file = "database.sqlite3"
            src, dst = db.connect(), sqlite3.connect(staging / db_file)
            try:
                src.backup(dst)
                tables = table_digests(dst, db.engine, advance=advance)
            finally:
                src.close()
                dst.close()
        files: dict[str, dict[str, Any]] = {}
        media = staging / "media"
        for rel, _ in media_digests(media_root).items():
            # Copy first, then hash the copy: the manifest describes what is in the archive.
            target = media / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(media_root / rel, target)
            files[rel] = {"size": target.stat().st_size, "sha256": file_digest(target)}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": db.engine,
            "database_file": db_file,
            "tables": _digests_json(tables),
            "files": files,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = staging / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(staging / "manifest.json", "manifest.json")
            tar.add(staging / db_file, db_file)
            if media.exists():
                tar.add(media, "media")
        os.replace(partial, out)
    return manifest


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.loads(member.read())
    except FileNotFoundError as exc:
        raise BackupError(f"No archive at {archive}.") from exc
    except (tarfile.TarError, KeyError, json.JSONDecodeError, EOFError) as exc:
        raise BackupError(
            f"{archive} is not a complete Toxin Clinic backup (no readable manifest.json: {exc})."
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive} is backup format {manifest.get('format')!r}; this version reads {FORMAT}."
        )
    return manifest


def _is_empty(db: Database) -> int:
    if db.engine == "sqlite" and not db.dsn.startswith("file:"):
        p = Path(db.dsn)
        if not p.exists() or p.stat().st_size == 0:
            return 0
    from toxinclinic.backup.digests import tables

    conn = db.connect()
    try:
        return len(tables(conn, db.engine))
    finally:
        conn.close()


def restore_backup(
    archive: Path, target: Database, media_root: Path, *, advance: Advance | None = None
) -> Report:
    """Restore into an empty database and an empty media directory, then verify. Refuses anything else."""
    manifest = read_manifest(archive)
    if manifest["engine"] != target.engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; restore it into {manifest['engine']}, "
            f"not {target.engine}."
        )
    existing = _is_empty(target)
    if existing:
        raise BackupError(
            f"The target database already has {existing} tables; restore into a new, empty database."
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"The media directory {media_root} is not empty; restore into a new, empty one.")
    with tempfile.TemporaryDirectory(prefix="restore-") as tmp, tarfile.open(archive) as tar:
        try:
            db_member = tar.getmember(manifest["database_file"])
        except KeyError as exc:
            raise BackupError(f"{archive} has no {manifest['database_file']}; it is not complete.") from exc
        # The "data" filter refuses absolute paths, "..", links out of the tree and device files.
        media_members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        tar.extractall(tmp, members=media_members, filter="data")
        if target.engine == "postgresql":
            db_file = Path(tmp) / "database.dump"
            _copy_member(tar, db_member, db_file)
            restore = [
                _tool("pg_restore"),
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
            ]
            _run([*restore, "-d", target.dsn, str(db_file)], "pg_restore")
        else:
            # Straight from the archive to its place: a multi-gigabyte file is written once.
            Path(target.dsn).parent.mkdir(parents=True, exist_ok=True)
            _copy_member(tar, db_member, Path(target.dsn))
        media = Path(tmp) / "media"
        if media.exists():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return verify(manifest, target, media_root, advance=advance)


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    src = tar.extractfile(member)
    if src is None or not member.isfile():
        raise BackupError(f"{member.name} in the archive is not a file; the archive is not a backup.")
    with src, dest.open("wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)


def verify(manifest: dict, target: Database, media_root: Path, *, advance: Advance | None = None) -> Report:
    """Compare an instance with an archive's manifest: every table's rows and digest, every file's hash."""
    conn = target.connect()
    try:
        if target.engine == "postgresql":
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute("SET TIME ZONE 'UTC'")
        got = _digests_json(table_digests(conn, target.engine, advance=advance))
    finally:
        if target.engine == "postgresql":
            conn.rollback()
        conn.close()
    want: dict[str, dict[str, Any]] = manifest["tables"]
    report = Report(
        tables=len(want), rows=sum(t["rows"] for t in want.values()), files=len(manifest["files"])
    )
    for table in sorted(set(want) | set(got)):
        w, g = want.get(table), got.get(table)
        if g is None:
            report.problems.append(f"table {table}: missing from the restored database")
        elif w is None:
            report.problems.append(f"table {table}: in the restored database but not in the backup")
        elif w["rows"] != g["rows"]:
            report.problems.append(f"table {table}: {g['rows']} rows, the backup has {w['rows']}")
        elif w["sha256"] != g["sha256"]:
            report.problems.append(f"table {table}: same {w['rows']} rows but different contents")
    files = media_digests(media_root)
    for rel in sorted(set(manifest["files"]) | set(files)):
        w, g = manifest["files"].get(rel), files.get(rel)
        if g is None:
            report.problems.append(f"file {rel}: missing")
        elif w is None:
            report.problems.append(f"file {rel}: not in the backup")
        elif w["sha256"] != g["sha256"]:
            report.problems.append(f"file {rel}: different contents")
    return report

"""Backup and restore of the 20,000-patient network (``benchmarks.network``: 2 years of daily diaries), on
PostgreSQL and on SQLite: ``manage.py backup`` and ``manage.py restore`` (which verifies every table's
row count and SHA-256 and every file's hash) run as an operator runs them, one process each.

Baseline in the same run, on the same database: the plain tool alone, without digests or a manifest —
``pg_dump -Fc`` and ``pg_restore --single-transaction`` into a new database on PostgreSQL; ``sqlite3 SRC
".backup DST"`` and a file copy (that is what restoring a SQLite backup is) on SQLite. The difference is
what the per-table digests, the tar and the verification cost.

The database is the one ``bench_worklist`` builds (``bench_worklist.prepare``; with
``BENCH_REUSE_NETWORK=1`` a network built earlier the same day is reused rather than rebuilt). The
restores go into new databases (``<bench database>_restore`` and ``_plain`` on PostgreSQL, files beside
the SQLite one) that are dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import bench_worklist
from benchmarks.common import BenchResult

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench" / "backup"
FULL = {"patients": 20_000, "years": 2}
QUICK = {"patients": 150, "years": 1}
PG_RESTORE = ("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction")
MEDIA_FILES = 40
MEDIA_BYTES = 256 * 1024
NOTES = """
`manage.py backup` / `manage.py restore` timed as separate processes (Django start-up, about 1 s, included)
on the network `bench_worklist` builds, beside the plain tool on the same database in the same run
(`pg_dump -Fc` / `pg_restore --single-transaction`; `sqlite3 .backup` / a file copy). Peak memory is the
command's own maximum resident set (`wait4`), so a reader can see it does not grow with the diary table.
The network has no media files of its own; 40 files of 256 KiB (10 MiB) are put in a media directory so the
file half is exercised. Quick mode: 150 patients, 1 year.
"""


def _peak(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Seconds, peak resident memory (KiB, from ``wait4`` of this one child) and stdout of one process;
    raises with its stderr when it fails."""
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Drain the pipes in threads so a chatty child never blocks, then reap it ourselves for its rusage.
    import threading

    chunks: dict[str, str] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    threads = [
        threading.Thread(target=drain, args=("out", p.stdout)),
        threading.Thread(target=drain, args=("err", p.stderr)),
    ]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(p.pid, 0)
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed ({p.returncode}):\n{chunks.get('err', '')[-3000:]}")
    return secs, usage.ru_maxrss, chunks.get("out", "")


def _media(root: Path) -> None:
    import random

    rng = random.Random(19)
    for i in range(MEDIA_FILES):
        d = root / ("notes" if i % 2 else "education")
        d.mkdir(parents=True, exist_ok=True)
        (d / f"file-{i:03d}.bin").write_bytes(rng.randbytes(MEDIA_BYTES))


def _pg_admin(sql: str) -> None:
    import psycopg

    base = bench_worklist.PG_URL.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
        c.execute(sql)


def _child(db: str, patients: int, years: int) -> dict[str, Any]:
    rec = bench_worklist.prepare(db, patients, years)
    from toxinclinic.backup.archive import Database, read_manifest

    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    media, restored_media = WORK / "media", WORK / "restored-media"
    _media(media)
    source_url = bench_worklist.database_url(db)
    env = os.environ | {"DATABASE_URL": source_url, "MEDIA_ROOT": str(media), "TOXINCLINIC_DEV": "1"}
    manage = [sys.executable, "manage.py"]
    archive, plain = WORK / "backup.tar", WORK / ("plain.dump" if db == "postgresql" else "plain.sqlite3")
    out: dict[str, Any] = {"db": db, "patients": patients, "reused": rec["reused"]}
    base, name = bench_worklist.PG_URL.rsplit("/", 1)
    targets = {"restore": f"{name}_restore", "plain": f"{name}_plain"}
    try:
        if db == "postgresql":
            dsn = Database.from_url(source_url).dsn
            out["plain_backup_s"], out["plain_backup_rss"], _ = _peak(
                ["pg_dump", "-Fc", "--no-owner", "--no-acl", "-f", str(plain), dsn]
            )
        else:
            out["plain_backup_s"], out["plain_backup_rss"], _ = _peak(
                ["sqlite3", str(bench_worklist.SQLITE_PATH), f".backup '{plain}'"]
            )
        out["plain_size"] = plain.stat().st_size
        out["backup_s"], out["backup_rss"], _ = _peak([*manage, "backup", "--out", str(archive)], env)
        out["archive_size"] = archive.stat().st_size
        manifest = read_manifest(archive)
        out["rows"] = sum(t["rows"] for t in manifest["tables"].values())
        out["tables"] = len(manifest["tables"])

        if db == "postgresql":
            for t in targets.values():
                _pg_admin(f'DROP DATABASE IF EXISTS "{t}" WITH (FORCE)')
                _pg_admin(f'CREATE DATABASE "{t}"')
            plain_target = Database.from_url(f"{base}/{targets['plain']}").dsn
            out["plain_restore_s"], out["plain_restore_rss"], _ = _peak(
                [*PG_RESTORE, "-d", plain_target, str(plain)]
            )
            restore_url = f"{base}/{targets['restore']}"
        else:
            copy = WORK / "plain-restored.sqlite3"
            t0 = time.perf_counter()
            shutil.copyfile(plain, copy)
            out["plain_restore_s"], out["plain_restore_rss"] = time.perf_counter() - t0, 0
            copy.unlink()
            restore_url = f"sqlite:///{WORK / 'restored.sqlite3'}"
        secs, rss, text = _peak(
            [
                *manage,
                "restore",
                str(archive),
                "--database-url",
                restore_url,
                "--media-root",
                str(restored_media),
            ],
            env,
        )
        out["restore_s"], out["restore_rss"] = secs, rss
        out["verified"] = "Restored and verified" in text
    finally:
        if db == "postgresql":
            for t in targets.values():
                _pg_admin(f'DROP DATABASE IF EXISTS "{t}" WITH (FORCE)')
        shutil.rmtree(WORK, ignore_errors=True)
    return out


def _mb(n: float) -> float:
    return n / 1e6


def run(quick: bool) -> list[BenchResult]:
    cfg = QUICK if quick else FULL
    out: list[BenchResult] = []
    for db in bench_worklist.bench_databases():
        if db == "postgresql" and not bench_worklist.pg_reachable():
            continue
        args = [sys.executable, "-m", "benchmarks.bench_backup", "--child", db]
        args += ["--patients", str(cfg["patients"]), "--years", str(cfg["years"])]
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"bench_backup child ({db}) failed:\n{proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        n = f"{r['patients']:,} patients, {r['rows']:,} rows in {r['tables']} tables"
        plain_b = "pg_dump -Fc alone" if db == "postgresql" else "sqlite3 .backup alone"
        plain_r = "pg_restore alone" if db == "postgresql" else "file copy alone"
        reused = "; network built by an earlier run, reused" if r["reused"] else ""
        out += [
            BenchResult(
                f"manage.py backup ({db}, {n})",
                r["backup_s"],
                "s",
                plain_b,
                r["plain_backup_s"],
                higher_is_better=False,
                note=f"{r['rows'] / r['backup_s']:,.0f} rows/s "
                f"(plain: {r['rows'] / r['plain_backup_s']:,.0f}); "
                f"peak memory {r['backup_rss'] / 1024:,.0f} MiB{reused}",
            ),
            BenchResult(
                f"manage.py restore with its verification ({db}, {n})",
                r["restore_s"],
                "s",
                plain_r,
                r["plain_restore_s"],
                higher_is_better=False,
                note=f"{r['rows'] / r['restore_s']:,.0f} rows/s; verified equal: "
                f"{'yes' if r['verified'] else 'NO'}; peak memory {r['restore_rss'] / 1024:,.0f} MiB",
            ),
            BenchResult(
                f"backup archive size ({db}, {r['patients']:,} patients, with 10 MiB of media)",
                _mb(r["archive_size"]),
                "MB",
                "pg_dump -Fc file" if db == "postgresql" else "sqlite3 .backup file",
                _mb(r["plain_size"]),
                higher_is_better=False,
                note="the archive is an uncompressed tar of the dump, the manifest and the media",
            ),
        ]
    return out + bench_worklist.carried("backup", quick)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", choices=("postgresql", "sqlite"))
    ap.add_argument("--patients", type=int, default=QUICK["patients"])
    ap.add_argument("--years", type=int, default=QUICK["years"])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.patients, a.years)))
    else:
        for r in run(a.quick):
            print(f"{r.name}: {r.figure:,.2f} {r.unit}, baseline {r.baseline:,.2f} ({r.ratio:.2f}); {r.note}")


if __name__ == "__main__":
    main()

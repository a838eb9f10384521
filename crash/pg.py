"""A PostgreSQL server of the crash suite's own: initdb into a temporary folder, start, restart, stop.

The suite restarts PostgreSQL under load (``pg_ctl restart -m fast`` and ``-m immediate``), which it may do
only to a server nobody else uses. Run as root, the server runs as the ``postgres`` user (initdb refuses
root); otherwise as the current user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class PgServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="crash-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_user = "postgres" if os.geteuid() == 0 else ""
        if self.as_user:
            pw = pwd.getpwnam(self.as_user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done

    @property
    def options(self) -> str:
        # fsync off: the suite kills the app's processes, never the machine, so the OS cache is durable
        # enough (an immediate shutdown still runs crash recovery from the WAL).
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
            "-c max_connections=200 -c shared_buffers=64MB"
        )

    def init(self) -> None:
        self._run(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run(
            BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", self.options, "-w", "-t", "60", *args,
            check=check,
        )  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self, mode: str) -> float:
        """``pg_ctl restart -m MODE``; returns the seconds it took (the outage as the server sees it)."""
        t0 = time.monotonic()
        self.pg_ctl("restart", "-m", mode)
        return time.monotonic() - t0

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode, check=False)

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def createdb(self, db: str) -> None:
        self._run(BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", db)

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

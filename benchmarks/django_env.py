"""One Django set-up for every in-process benchmark: a fresh SQLite file under var/bench/, migrated once.

Benchmarks that need a real server start their own subprocess instead.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
_ready = False


def ensure_django() -> None:
    global _ready
    if _ready:
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    db = BENCH_DIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("TOXINCLINIC_DEV", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toxinclinic.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    _ready = True

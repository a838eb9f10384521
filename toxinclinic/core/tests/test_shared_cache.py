"""Several app processes share one cache when REDIS_URL is set: check that the project's CACHES setting,
as toxinclinic/settings.py builds it from the environment, gives a cache two processes share."""

from __future__ import annotations

import importlib.util
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import CacheHandler

import toxinclinic

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SETTINGS = Path(toxinclinic.__file__).parent / "settings.py"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _project_caches(monkeypatch: pytest.MonkeyPatch, redis_url: str | None) -> dict[str, Any]:
    """CACHES exactly as the settings module builds it for this environment (a fresh import of it)."""
    if redis_url is None:
        monkeypatch.delenv("REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("REDIS_URL", redis_url)
    spec = importlib.util.spec_from_file_location(f"settings_probe_{uuid.uuid4().hex}", SETTINGS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CACHES


@pytest.mark.skipif(not _redis_up(), reason="SKIPPED: no Redis at 127.0.0.1:6379 (CI starts one)")
def test_with_redis_url_the_configured_cache_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    caches = _project_caches(monkeypatch, REDIS_URL)
    # Two handlers build two independent clients from the setting, as two app processes would.
    writer, reader = CacheHandler(caches)["default"], CacheHandler(caches)["default"]
    key = f"toxinclinic-test-{uuid.uuid4().hex}"
    writer.set(key, {"v": 1}, timeout=5)
    assert reader.get(key) == {"v": 1}
    assert reader.add(key, 2) is False  # the one-queued-task guards (cache.add) hold across processes
    reader.delete(key)
    assert writer.get(key) is None


def test_without_redis_url_the_cache_is_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    caches = _project_caches(monkeypatch, None)
    a, b = CacheHandler(caches)["default"], CacheHandler(caches)["default"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    key = f"toxinclinic-test-{uuid.uuid4().hex}"
    a.set(key, 1, timeout=5)
    # locmem is shared by name inside one process (the handlers here), never across processes: the
    # settings say so, and the README tells deployments with several processes to set REDIS_URL.
    assert b.get(key) == 1
    a.delete(key)

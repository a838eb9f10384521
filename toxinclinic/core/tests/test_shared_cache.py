"""Several app processes share one cache when REDIS_URL is set; check the configured backend really works."""

from __future__ import annotations

import os
import socket

import pytest
from django.core.cache.backends.redis import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="SKIPPED: no Redis at 127.0.0.1:6379 (CI starts one)")
def test_redis_cache_round_trip_between_two_clients() -> None:
    writer = RedisCache(REDIS_URL, {})
    reader = RedisCache(REDIS_URL, {})  # as if in another app process
    writer.set("toxinclinic-test", {"v": 1}, timeout=5)
    assert reader.get("toxinclinic-test") == {"v": 1}
    reader.delete("toxinclinic-test")
    assert writer.get("toxinclinic-test") is None

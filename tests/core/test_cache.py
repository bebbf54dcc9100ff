"""The Redis cache backend against the Redis server CI provides."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from peerpath.core.cache import RedisCache

REDIS_URL = os.environ.get("PEERPATH_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture
def redis_cache() -> RedisCache:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("PEERPATH_REQUIRE_REDIS"):
            raise  # CI has Redis: a missing server fails the run instead of skipping
        pytest.skip(f"no Redis at {REDIS_URL}")
    return RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_values_round_trip_and_one_client_serves_every_call(redis_cache: RedisCache) -> None:
    redis_cache.set("figures", {"rows": [1, 2]}, timeout=30)
    redis_cache.set_many({"a": b"page", "b": 2}, timeout=30)
    assert redis_cache.get("figures") == {"rows": [1, 2]}
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": b"page", "b": 2}
    client = redis_cache._cache.get_client("figures")
    assert redis_cache._cache.get_client("other", write=True) is client
    redis_cache.delete_many(["figures", "a", "b"])
    assert redis_cache.get("figures") is None

"""#14 item 1, the cache backend alone: Redis unreachable costs one refused connection, then local memory;
invalidations made meanwhile reach Redis when it answers again."""

from __future__ import annotations

import os
import uuid
from unittest import mock

import pytest

from lousihui.cache import ResilientRedisCache
from tests.hardening.s3_server import free_port


def _cache(location: str) -> ResilientRedisCache:
    return ResilientRedisCache(location, {"KEY_PREFIX": f"outage-{uuid.uuid4().hex}", "OPTIONS": {}})


def test_a_dead_redis_answers_from_local_memory_and_stops_trying() -> None:
    cache = _cache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    assert cache.get("stamp") is None
    assert cache.is_degraded
    cache.set("stamp", "abc", 30)
    assert cache.get("stamp") == "abc"
    assert cache.get_many(["stamp", "other"]) == {"stamp": "abc"}
    assert cache.add("count", 1) is True
    assert cache.incr("count") == 2
    with pytest.raises(ValueError):
        cache.incr("missing")  # as Redis: the caller's "start it" path
    cache.delete_many(["stamp"])
    assert cache.get("stamp") is None
    # While the breaker is open nothing goes to Redis (no connect timeout per request).
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get", side_effect=AssertionError):
        assert cache.get("count") == 2


@pytest.mark.redis
def test_invalidations_made_while_redis_was_away_are_replayed_when_it_answers() -> None:
    cache = _cache(os.environ["REDIS_URL"])
    cache.set("entry", "before the outage", 60)
    cache.set("generation", 5, 60)
    cache.set("search-generation", "old", 60)
    assert not cache.is_degraded
    # Redis "goes away" for this process: the next call fails to connect and opens the breaker.
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.delete", side_effect=ConnectionError("down")):
        cache.delete("entry")
    assert cache.is_degraded
    with pytest.raises(ValueError):
        cache.incr("generation")  # not in local memory; remembered for Redis all the same
    cache.set("search-generation", "new", 60)  # replaces, in this process only, what Redis holds
    cache._breaker.open_until = 0  # the breaker's few seconds are over
    assert cache.get("unrelated") is None  # the first call that reaches Redis replays
    assert not cache.is_degraded
    assert cache.get("entry") is None
    assert cache.get("generation") == 6
    assert cache.get("search-generation") is None  # not "old": a miss, recomputed
    cache.delete_many(["generation"])

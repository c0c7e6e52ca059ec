"""A Redis cache that survives Redis going away (#14 item 1).

Django's RedisCache raises on every call while Redis is down: the submit throttle, the screen's stamps
and the after-commit bumps then turn a cache outage into 500s. This backend answers from a per-process
local-memory cache instead, and opens a short circuit breaker on the first connection error, so that
while Redis is down each request pays no connect timeout at all (the breaker is shared by the threads of
a process). After `BREAKER_SECONDS` the next call tries Redis again; the first one that succeeds closes
the breaker.

What the fallback means:
- reads miss or answer what this process stored during the outage; everything cached is recomputed from
  PostgreSQL, so pages stay right, only slower;
- throttles count per process (a gunicorn worker): they still limit, each worker on its own, so the
  effective limit is the rate times the number of workers until Redis is back;
- what was written during the outage is replayed on Redis when it answers again: keys deleted or set
  meanwhile are deleted there (a miss is always safe; a set value may have replaced one Redis still
  holds, such as a search generation), counters bumped meanwhile are bumped there, so an entry cached
  before the outage is not served after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from buildings import cache_ops

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a process stops trying Redis after a connection error (seconds).
BREAKER_SECONDS = 5.0
#: Invalidations remembered for the replay, at most (the oldest are dropped; their entries expire anyway).
MAX_REPLAY = 10_000

#: Errors that mean "Redis is not there", not "the call was wrong".
UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError)


class _Breaker:
    """Per-process state of one Redis location: open until a time, and what to replay when it closes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.deleted: dict[str, None] = {}  # ordered set of raw (already made) keys
        self.incremented: dict[str, int] = {}

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


#: INCRBY, but only on a key that exists (Django's incr() contract: ValueError when it is missing) —
#: one round trip instead of EXISTS then INCRBY.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""


# The stubs do not describe the client's internals (its pools and servers), which this subclass uses.
_Client: Any = RedisCacheClient


class _ReusingClient(_Client):
    """Django's Redis client, with one `redis.Redis` per pool instead of a new one for every call.

    Building a `redis.Redis` fills its table of response callbacks, about as slow as the round trip
    it is for (#15: a submission makes eight cache calls); the object is thread-safe (the pool is what
    hands out connections), so it is kept.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr_scripts: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client

    def incr(self, key: Any, delta: int) -> int:
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(0)
        if script is None:  # writes always go to the first server
            script = self._incr_scripts[0] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)


class ResilientRedisCache(RedisCache):
    """RedisCache, falling back to a local-memory cache while Redis does not answer."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
        options = params.get("OPTIONS", {})
        self.breaker_seconds = float(params.get("BREAKER_SECONDS", BREAKER_SECONDS))
        self._breaker = _breaker_for(f"{server}|{self.key_prefix}")
        self.fallback = LocMemCache(
            f"lousihui-fallback:{server}|{self.key_prefix}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": self.key_prefix,
                "VERSION": self.version,
                "OPTIONS": {"MAX_ENTRIES": options.get("FALLBACK_MAX_ENTRIES", 5000)},
            },
        )

    # --- the breaker ---------------------------------------------------------------------------

    @property
    def is_degraded(self) -> bool:
        """True while this process answers from the fallback (for /healthz/)."""
        return self._breaker.is_open()

    def _call(self, primary: Callable[[], T], fallback: Callable[[], T]) -> T:
        breaker = self._breaker
        if breaker.is_open():
            return fallback()
        try:
            result = primary()
        except UNAVAILABLE as exc:
            with breaker.lock:
                if not breaker.is_open():
                    logger.warning("cache: Redis unavailable (%s), local memory for %.0f s", exc, self.breaker_seconds)
                breaker.open_until = time.monotonic() + self.breaker_seconds
            return fallback()
        if breaker.deleted or breaker.incremented:
            self._replay()
        return result

    def _replay(self) -> None:
        """Redis answers again: the invalidations made while it was away are applied to it."""
        breaker = self._breaker
        with breaker.lock:
            deleted, breaker.deleted = list(breaker.deleted), {}
            incremented, breaker.incremented = breaker.incremented, {}
        try:
            client = self._cache.get_client(write=True)
            if deleted:
                client.delete(*deleted)
            for key, delta in incremented.items():
                if client.exists(key):
                    client.incr(key, delta)
        except UNAVAILABLE:
            with breaker.lock:  # gone again: keep them for the next time
                breaker.deleted.update(dict.fromkeys(deleted))
                for key, delta in incremented.items():
                    breaker.incremented[key] = breaker.incremented.get(key, 0) + delta
            return
        logger.info("cache: Redis is back; %d invalidations replayed", len(deleted) + len(incremented))

    def _remember_delete(self, keys: list[str], version: int | None) -> None:
        breaker = self._breaker
        with breaker.lock:
            for key in keys:
                breaker.deleted[self.make_and_validate_key(key, version=version)] = None
            while len(breaker.deleted) > MAX_REPLAY:
                breaker.deleted.pop(next(iter(breaker.deleted)))

    def _remember_incr(self, key: str, delta: int, version: int | None) -> None:
        breaker = self._breaker
        raw = self.make_and_validate_key(key, version=version)
        with breaker.lock:
            if raw in breaker.incremented or len(breaker.incremented) < MAX_REPLAY:
                breaker.incremented[raw] = breaker.incremented.get(raw, 0) + delta

    # --- the cache API -------------------------------------------------------------------------

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        def fallback() -> bool:
            self._remember_delete([key], version)
            return self.fallback.add(key, value, timeout, version)

        return self._call(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), fallback)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: self.fallback.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        def fallback() -> None:
            self._remember_delete([key], version)
            self.fallback.set(key, value, timeout, version)

        self._call(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), fallback)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            lambda: self.fallback.touch(key, timeout, version),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        def fallback() -> bool:
            self._remember_delete([key], version)
            return self.fallback.delete(key, version)

        return self._call(lambda: super(ResilientRedisCache, self).delete(key, version), fallback)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._call(
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            lambda: self.fallback.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            lambda: self.fallback.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def fallback() -> int:
            self._remember_incr(key, delta, version)
            return self.fallback.incr(key, delta, version)  # ValueError when missing, as Redis does

        return self._call(lambda: super(ResilientRedisCache, self).incr(key, delta, version), fallback)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        def fallback() -> list[Any]:
            self._remember_delete(list(data), version)
            return self.fallback.set_many(data, timeout, version)

        return self._call(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), fallback)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)

        def fallback() -> None:
            self._remember_delete(keys, version)
            self.fallback.delete_many(keys, version)

        self._call(lambda: super(ResilientRedisCache, self).delete_many(keys, version), fallback)

    def clear(self) -> None:
        self._call(lambda: super(ResilientRedisCache, self).clear(), self.fallback.clear)

    # --- several calls in one round trip (#15) -------------------------------------------------

    def invalidate(
        self, delete: list[str], incr: list[str], read: list[str], replace: dict[str, Any] | None = None
    ) -> tuple[list[int | None], list[Any]]:
        """Sets `replace` (no expiry), deletes `delete`, moves each existing counter of `incr` by one
        (None for a missing one, as `incr()`'s ValueError) and reads `read`: one pipelined round trip."""
        replace = replace or {}

        def primary() -> tuple[list[int | None], list[Any]]:
            client = self._cache.get_client(write=True)
            serializer = self._cache._serializer  # type: ignore[attr-defined]
            pipe = client.pipeline(transaction=False)
            for key, value in replace.items():
                pipe.set(self.make_and_validate_key(key), serializer.dumps(value))
            raw_delete = [self.make_and_validate_key(k) for k in delete]
            if raw_delete:
                pipe.delete(*raw_delete)
            for key in incr:
                pipe.eval(_INCR_EXISTING, 1, self.make_and_validate_key(key), 1)
            for key in read:
                pipe.get(self.make_and_validate_key(key))
            results = pipe.execute()[len(replace) + (1 if raw_delete else 0) :]
            moved = [None if value is None else int(value) for value in results[: len(incr)]]
            return moved, [None if value is None else serializer.loads(value) for value in results[len(incr) :]]

        def fallback() -> tuple[list[int | None], list[Any]]:
            return cache_ops.invalidate_each(self.fallback, delete, incr, read, replace, remember=self)

        return self._call(primary, fallback)

    def count(self, key: str, timeout: int, also: str) -> tuple[int, int]:
        """Adds one to the counter `key` (created with `timeout` seconds to live) and reads the counter
        `also`: one pipelined round trip on Redis. For rate limits (lousihui.throttling)."""

        def primary() -> tuple[int, int]:
            client = self._cache.get_client(write=True)
            raw = self.make_and_validate_key(key)
            pipe = client.pipeline(transaction=False)
            pipe.incr(raw)
            pipe.expire(raw, timeout)
            pipe.get(self.make_and_validate_key(also))
            current, _expiry, other = pipe.execute()
            return int(current), int(other or 0)

        return self._call(primary, lambda: cache_ops.count_each(self.fallback, key, timeout, also))

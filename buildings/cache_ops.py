"""Cache calls in as few round trips as the cache allows (#15): after-commit invalidations and counters.

A demand change moves several keys other processes read — its building's screen stamp, the early path's
entry, the screens' generation, the statistics' generation — and each after-change subscriber used to
register its own on-commit callback with its own cache calls (five round trips to Redis after a
submission). Subscribers now hand their keys to `on_commit(...)`: the first call in a transaction
registers one callback, later calls add to it, and after commit the keys are deleted, the counters
moved and the reads answered together — one pipelined round trip on Redis (`invalidate` asks the cache
for it: lousihui.cache.ResilientRedisCache.invalidate), one call each on any other cache.

A counter that does not exist yet is created at 1 (a generation nobody has read yet). Callbacks for
reads run after the round trip, with the value read (None when missing). A cache that fails is logged,
never raised: the data is committed, and every entry these keys guard also expires by itself.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

log = logging.getLogger(__name__)

Then = Callable[[Any], None]


# --- several calls in one -------------------------------------------------------------------------


def invalidate(
    target: Any, delete: list[str], incr: list[str], read: list[str], replace: dict[str, Any] | None = None
) -> tuple[list[int | None], list[Any]]:
    """Sets `replace` (kept until replaced), deletes `delete`, moves each existing counter of `incr` by
    one (None for a missing one) and reads `read`: in one round trip where the cache can
    (`target.invalidate`), else call by call."""
    if hasattr(target, "invalidate"):
        return target.invalidate(delete, incr, read, replace)  # type: ignore[no-any-return]
    return invalidate_each(target, delete, incr, read, replace)


def count(target: Any, key: str, timeout: int, also: str) -> tuple[int, int]:
    """Adds one to the counter `key` (living `timeout` seconds) and reads the counter `also`: in one
    round trip where the cache can (`target.count`)."""
    if hasattr(target, "count"):
        return target.count(key, timeout, also)  # type: ignore[no-any-return]
    return count_each(target, key, timeout, also)


def invalidate_each(
    target: Any,
    delete: list[str],
    incr: list[str],
    read: list[str],
    replace: dict[str, Any] | None = None,
    *,
    remember: Any = None,
) -> tuple[list[int | None], list[Any]]:
    """`invalidate` through the plain cache API. `remember`: the resilient cache whose fallback `target`
    is, which replays the deletes and increments on Redis when it answers again (a key set meanwhile is
    deleted there)."""
    if replace:
        if remember is not None:
            remember._remember_delete(list(replace), None)
        target.set_many(replace, None)
    if delete:
        if remember is not None:
            remember._remember_delete(delete, None)
        target.delete_many(delete)
    moved: list[int | None] = []
    for key in incr:
        if remember is not None:
            remember._remember_incr(key, 1, None)
        try:
            moved.append(target.incr(key))
        except ValueError:
            moved.append(None)
    return moved, [target.get(key) for key in read]


def count_each(target: Any, key: str, timeout: int, also: str) -> tuple[int, int]:
    target.add(key, 0, timeout)
    try:
        current = target.incr(key)
    except ValueError:  # expired between the two calls
        target.add(key, 1, timeout)
        current = 1
    return int(current), int(target.get(also) or 0)


def replace_now(keys: Iterable[str]) -> None:
    """Gives `keys` fresh random tokens at once (kept until replaced). A token, not an increment: a
    generation the cache evicted can never come back as an old value. A cache that fails is logged."""
    try:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)
    except Exception:  # what these keys guard expires by itself; until then a failing cache serves none
        log.warning("cache: cannot replace the tokens %s", list(keys), exc_info=True)


def fresh_tokens(keys: Iterable[str]) -> dict[str, str]:
    """A fresh random token for each key, for `on_commit(replace=...)`."""
    return {key: uuid.uuid4().hex for key in keys}


# --- after commit, once per transaction -----------------------------------------------------------


class _Batch:
    def __init__(self) -> None:
        self.delete: dict[str, None] = {}
        self.incr: dict[str, None] = {}
        self.read: dict[str, list[Then]] = {}
        self.replace: dict[str, Any] = {}
        self.done = False

    def add(self, delete: Iterable[str], incr: Iterable[str], read: dict[str, Then], replace: dict[str, Any]) -> None:
        self.replace.update(replace)
        self.delete.update(dict.fromkeys(delete))
        self.incr.update(dict.fromkeys(incr))
        for key, then in read.items():
            self.read.setdefault(key, []).append(then)

    def flush(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            moved, values = invalidate(cache, list(self.delete), list(self.incr), list(self.read), self.replace)
            for key, value in zip(self.incr, moved, strict=True):
                if value is None:
                    cache.add(key, 1, None)
            for callbacks, value in zip(self.read.values(), values, strict=True):
                for then in callbacks:
                    then(value)
        except Exception:
            log.warning("cache: cannot apply the after-commit invalidations", exc_info=True)


_local = threading.local()


def on_commit(
    *,
    delete: Iterable[str] = (),
    incr: Iterable[str] = (),
    read: dict[str, Then] | None = None,
    replace: dict[str, Any] | None = None,
    using: str | None = None,
) -> None:
    """After the current transaction commits (at once outside one): sets each key of `replace` to its
    value (a fresh token, kept until replaced), deletes `delete`, moves each counter of `incr` by one,
    and calls `read[key](value)` — with every other call of the transaction, in one round trip."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        at_once = _Batch()
        at_once.add(delete, incr, read or {}, replace or {})
        at_once.flush()
        return
    # One batch per transaction: the one being filled is reused while the same (sub)transaction is open
    # — same savepoints —, its flush still waits for the commit (not after a rollback dropped it) and it
    # has not run. A nested atomic block gets a batch of its own (its own round trip: correct, if less
    # thrifty), so work done under a savepoint is applied exactly when Django applies that savepoint's
    # on-commit callbacks.
    current: dict[str, tuple[tuple[Any, ...], _Batch]] = _local.__dict__.setdefault("current", {})
    alias = using or DEFAULT_DB_ALIAS
    where = tuple(connection.savepoint_ids)
    found = current.get(alias)
    if (
        found is not None
        and found[0] == where
        and not found[1].done
        and any(func == found[1].flush for _sids, func, _robust in connection.run_on_commit)
    ):
        batch = found[1]
    else:
        batch = _Batch()
        current[alias] = (where, batch)
        transaction.on_commit(batch.flush, using=using)
    batch.add(delete, incr, read or {}, replace or {})

"""Whole buildings' rollup sums, kept in the cache by chunks of buildings (#15).

The first district page after a change summed every rollup row of the district's buildings (at 1M
demands ~21,000 histogram rows, ~4,700 months, ~2,400 categories: about 12 ms of PostgreSQL), though
the change moved the rows of one building. Here the reach's buildings are cut into chunks of `CHUNK`
(by id), and each chunk's sums are kept under a token per building that every change of the
building's rollups replaces after commit (`buildings_changed`, called by the rollups' writer
`tallies.on_change`) and an epoch that every recount replaces (`all_changed`). A chunk
is used only while the tokens of all its buildings are those it was summed under: after a change,
the chunks of the changed buildings are summed again, the others read from the cache (two round
trips: the tokens, then the chunks). A cache that fails only costs the sums.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection

from buildings import cache_ops

from ..models import DemandCategoryTally, DemandDurationBucket, DemandMonthTally, DemandTally

log = logging.getLogger(__name__)

#: Buildings per chunk: a change re-sums the rows of this many buildings.
CHUNK = 16
EPOCH_KEY = "stats:rollups-epoch"
#: How long a chunk's sums are kept when none of its buildings changes (seconds).
CHUNK_TTL = 3600


def _token_key(building_id: int) -> str:
    return f"stats:rollups:b:{building_id}"


def buildings_changed(building_ids: Iterable[int]) -> None:
    """The rollups of these buildings moved: after commit, their chunks are summed again (as the
    figures' generation moves: a reader before the commit sees the figures before it), with the
    transaction's other after-commit invalidations (`cache_ops.on_commit`: no round trip of its own)."""
    fresh = cache_ops.fresh_tokens(_token_key(pk) for pk in building_ids)
    if fresh:
        cache_ops.on_commit(replace=fresh)


def all_changed() -> None:
    """Every rollup was recounted: every chunk is summed again, now and after commit."""
    cache_ops.replace_now([EPOCH_KEY])
    cache_ops.on_commit(replace=cache_ops.fresh_tokens([EPOCH_KEY]))


@dataclass
class Sums:
    """The rollups of some buildings, summed."""

    #: (status, outcome) → demands (the headline)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    #: building → [received, resolved, in progress] (the ranking)
    per_building: dict[int, list[int]] = field(default_factory=dict)
    #: kind → bucket → demands (the percentiles)
    durations: dict[str, dict[int, int]] = field(default_factory=dict)
    #: month → [received, resolved]
    months: dict[date, list[int]] = field(default_factory=dict)
    #: category id → [received, resolved]
    categories: dict[int, list[int]] = field(default_factory=dict)

    def add(self, other: Sums) -> None:
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        self.per_building.update(other.per_building)  # chunks never share a building
        for kind, histogram in other.durations.items():
            mine = self.durations.setdefault(kind, {})
            for bucket, n in histogram.items():
                mine[bucket] = mine.get(bucket, 0) + n
        _add_pairs(self.months, other.months)
        _add_pairs(self.categories, other.categories)


def _add_pairs(into: dict[Any, list[int]], more: dict[Any, list[int]]) -> None:
    for key, (received, resolved) in more.items():
        pair = into.setdefault(key, [0, 0])
        pair[0] += received
        pair[1] += resolved


def sums(building_ids: set[int] | None, ranked: tuple[frozenset[str], ...]) -> Sums:
    """The rollups of these buildings (None: all, summed without the cache), with each building's
    counts of the statuses in `ranked` (received, resolved, in progress)."""
    if building_ids is None:
        return _summed(None, ranked)[0]
    ordered = sorted(building_ids)
    chunks = [tuple(ordered[i : i + CHUNK]) for i in range(0, len(ordered), CHUNK)]
    try:
        keys = _chunk_keys(chunks)
        found = cache.get_many(list(keys.values()))
    except Exception:
        log.warning("stats: cache read failed, summing", exc_info=True)
        keys, found = {}, {}
    missing = [chunk for chunk in chunks if keys.get(chunk) not in found]
    total = Sums()
    for chunk in chunks:
        if chunk not in missing:
            total.add(found[keys[chunk]])
    if missing:
        computed = _summed(missing, ranked)
        kept = {}
        for chunk, part in zip(missing, computed, strict=True):
            total.add(part)
            if chunk in keys:
                kept[keys[chunk]] = part
        try:
            cache.set_many(kept, CHUNK_TTL)
        except Exception:
            log.warning("stats: cannot keep the rollups' sums", exc_info=True)
    return total


def _chunk_keys(chunks: list[tuple[int, ...]]) -> dict[tuple[int, ...], str]:
    """Each chunk's key: its buildings and their tokens (read BEFORE summing), and the epoch."""
    wanted = [EPOCH_KEY] + [_token_key(pk) for chunk in chunks for pk in chunk]
    tokens = cache.get_many(wanted)
    fresh = {key: uuid.uuid4().hex for key in wanted if key not in tokens}
    if fresh:
        cache.set_many(fresh, None)  # a fresh token only ever makes more chunks be summed again
        tokens.update(fresh)
    keys = {}
    for chunk in chunks:
        raw = "|".join([tokens[EPOCH_KEY], *(f"{pk}:{tokens[_token_key(pk)]}" for pk in chunk)])
        keys[chunk] = "stats:rollups:chunk:" + hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()
    return keys


def _summed(chunks: list[tuple[int, ...]] | None, ranked: tuple[frozenset[str], ...]) -> list[Sums]:
    """Each chunk's sums (None: one for every building), in 4 queries whatever the chunks: each table
    grouped by chunk in the database (the tallies by building, for the ranking)."""
    if chunks is None:
        join, params, groups = "", [], 1
    else:
        ids = [pk for chunk in chunks for pk in chunk]
        numbers = [i for i, chunk in enumerate(chunks) for _ in chunk]
        join = " JOIN unnest(%s::bigint[], %s::int[]) AS c(building_id, chunk) ON c.building_id = t.building_id"
        params, groups = [ids, numbers], len(chunks)
    chunk = "c.chunk" if chunks is not None else "0"
    out = [Sums() for _ in range(groups)]

    def rows(table: str, keys: str, counters: str) -> list[tuple[Any, ...]]:
        # Table names from the models' _meta; the ids travel as two array parameters.
        groups = ", ".join(str(n) for n in range(1, keys.count(",") + 3))
        return _fetch(f"SELECT {chunk}, {keys}, {counters} FROM {table} t{join} GROUP BY {groups}", params)  # noqa: S608

    received, resolved, in_progress = ranked
    for i, building_id, status, outcome, n in _fetch(
        f"SELECT {chunk}, t.building_id, t.status, t.outcome, t.n FROM {DemandTally._meta.db_table} t{join}",  # noqa: S608
        params,
    ):
        part = out[i]
        part.counts[(status, outcome)] = part.counts.get((status, outcome), 0) + n
        counts = part.per_building.setdefault(building_id, [0, 0, 0])
        for j, statuses in enumerate((received, resolved, in_progress)):
            if status in statuses:
                counts[j] += n
    for i, kind, bucket, n in rows(DemandDurationBucket._meta.db_table, "t.kind, t.bucket", "sum(t.n)"):
        histogram = out[i].durations.setdefault(kind, {})
        histogram[bucket] = histogram.get(bucket, 0) + n
    for i, month, received_n, resolved_n in rows(
        DemandMonthTally._meta.db_table, "t.month", "sum(t.received), sum(t.resolved)"
    ):
        out[i].months[month] = [received_n, resolved_n]
    for i, category, received_n, resolved_n in rows(
        DemandCategoryTally._meta.db_table, "t.category_id", "sum(t.received), sum(t.resolved)"
    ):
        out[i].categories[category] = [received_n, resolved_n]
    return out


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

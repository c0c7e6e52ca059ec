"""Recent answers of the case look-up, kept until the index changes.

Most look-ups repeat (外卖柜, 停车, 暑托班 from every building's residents), and at a million documents
one costs tens of milliseconds of ranking. An answer is cached under its query and filters together
with the index's *generation*, a token every index write replaces (at once and after commit); a reader fetches
both in one round trip and uses the answer only if its generation is current — so a case resolved a
moment ago is found by the next look-up, never by the one after the TTL. A cache that is down or
empty only costs the search itself. `SEARCH_CACHE_SECONDS=0` turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import asdict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from . import engine

GENERATION_KEY = "search:generation"
logger = logging.getLogger(__name__)


def _key(q: str, filters: engine.Filters, limit: int, offset: int) -> str:
    raw = repr((q.strip()[: engine.MAX_QUERY], sorted(asdict(filters).items()), limit, offset))
    return "search:answer:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def search(
    q: str, filters: engine.Filters | None = None, *, limit: int = 20, offset: int = 0
) -> tuple[int, list[engine.Hit]]:
    """engine.search, answered from the cache when the same look-up was made since the index last changed."""
    filters = filters or engine.Filters()
    seconds = settings.SEARCH_CACHE_SECONDS
    if seconds <= 0:
        return engine.search(q, filters, limit=limit, offset=offset)
    key = _key(q, filters, limit, offset)
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:  # the cache is down: search without it
        logger.warning("search cache unavailable", exc_info=True)
        return engine.search(q, filters, limit=limit, offset=offset)
    generation = found.get(GENERATION_KEY)
    stored = found.get(key)
    if generation is not None and stored is not None and stored[0] == generation:
        return stored[1]
    answer = engine.search(q, filters, limit=limit, offset=offset)
    try:
        if generation is None:
            generation = uuid.uuid4().hex
            cache.add(GENERATION_KEY, generation, timeout=None)
            generation = cache.get(GENERATION_KEY)  # another process may have added its own first
        if generation is not None:
            cache.set(key, (generation, answer), timeout=seconds)
    except Exception:
        logger.warning("search cache unavailable", exc_info=True)
    return answer


def index_changed() -> None:
    """Every cached answer is stale (called by every index write): now, and again once it commits.

    Now, so the writer's own next look-up (in its transaction) sees the change; after commit, so an
    answer another process cached from the old index in between does not outlive the change.
    """

    def replace() -> None:
        try:
            cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:  # a cache that is down serves no answers; they expire with their TTL
            logger.warning("search cache unavailable; could not retire cached answers", exc_info=True)

    replace()
    transaction.on_commit(replace)

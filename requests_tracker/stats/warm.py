"""One reader's warm statistics answer in one cache round trip (#15).

A dashboard reads `/api/v1/stats/` a thousand times for each change. What its answer depends on: who
reads (their reach: `access.stats_reach`, a query of its own) and the figures. Both are kept here,
per reader (API token or signed-in user), filters, `only`, language and calendar day, with the
generations they were read under: the reach's (`generations.REACH_KEY`, moved by every write to
users, tokens, staff, seats and places) and the figures' (`cached.GEN_KEY`). One `get_many` reads the
two generations and the entry together; the bytes are served only when both are current and the
figures are younger than `cached.MAX_AGE` (their "as of" time says how old). When only the figures
moved (the first request after a demand change), the kept reach still spares the reach's query.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from ..access import StatsReach
from . import generations
from .cached import GEN_KEY

log = logging.getLogger(__name__)

#: How long a reader's reach is kept when nothing moves it (seconds).
READER_TTL = 3600
FILTERS = ("district", "subdistrict", "building", "category", "since", "until")


@dataclass(frozen=True)
class Kept:
    """What the cache holds for one reader's request."""

    reach_generation: str
    reach: StatsReach | None
    #: The answer's bytes, the figures' generation they were computed under, and when they stop being
    #: served (their computation + MAX_AGE, epoch seconds); None: the reach alone is known.
    body: bytes | None = None
    figures_generation: int | None = None
    expires: float = 0.0


@dataclass(frozen=True)
class Look:
    """The generations now, and the reader's entry (None: none kept)."""

    key: str
    reach_generation: str
    figures_generation: int
    kept: Kept | None

    def body(self) -> bytes | None:
        """The kept bytes, if both generations are current and the figures not too old."""
        kept = self.kept
        if kept is None or kept.body is None or not self.knows_reach():
            return None
        if kept.figures_generation != self.figures_generation or kept.expires <= time.time():
            return None
        return kept.body

    def knows_reach(self) -> bool:
        return self.kept is not None and self.kept.reach_generation == self.reach_generation

    def known_reach(self) -> tuple[StatsReach | None] | None:
        """(the reader's reach,) when it is kept under the current reach generation, else None."""
        return (self.kept.reach,) if self.kept is not None and self.knows_reach() else None


def plain_request(request: HttpRequest) -> tuple[dict[str, str], str] | None:
    """(the filters, `only`) of a request the warm paths may answer: JSON, each parameter once, slugs
    that are slugs; None for anything else (DRF negotiates it, or the form says why it is a 400)."""
    if request.META.get("HTTP_ACCEPT", "*/*") not in ("*/*", "application/json") or "format" in request.GET:
        return None  # the browsable API, or a negotiation DRF must do
    query = request.GET
    only = query.get("only", "")
    if any(len(query.getlist(name)) > 1 for name in query) or only not in ("", "figures"):
        return None
    if not all(_SLUG.fullmatch(query.get(name, "")) for name in ("district", "subdistrict", "building")):
        return None
    return {name: query.get(name, "") for name in FILTERS}, only


_SLUG = re.compile(r"[-a-zA-Z0-9_]*")


def json_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["Vary"] = "Accept"
    return response


def reader_key(identity: str, query: Mapping[str, str], only: str, language: str | None = None) -> str:
    """The entry of one reader (`identity`: "t:<token>" or "u:<user id>") for one request, today, in
    `language` (the active one by default)."""
    language = language or get_language() or ""
    raw = "|".join([identity, *(query.get(name, "") for name in FILTERS), only, language, str(timezone.localdate())])
    return "stats:reader:" + hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()


def look(key: str) -> Look | None:
    """Both generations and the reader's entry in one round trip (None: the cache fails)."""
    try:
        found = cache.get_many([GEN_KEY, generations.REACH_KEY, key])
        if generations.REACH_KEY not in found:
            found.update(generations.current(generations.REACH_KEY))
    except Exception:
        log.warning("stats: cache read failed, computing", exc_info=True)
        return None
    kept = found.get(key)
    figures_generation = int(found.get(GEN_KEY) or 0)
    return Look(key, found[generations.REACH_KEY], figures_generation, kept if isinstance(kept, Kept) else None)


def keep(
    seen: Look,
    reach: StatsReach | None,
    answer: tuple[int, bytes, float] | None = None,
) -> None:
    """Keeps the reach read after `seen` (under `seen`'s reach generation) and, if known, the answer
    (figures' generation, bytes, expiry)."""
    kept = Kept(seen.reach_generation, reach)
    if answer is not None:
        kept = Kept(seen.reach_generation, reach, answer[1], answer[0], answer[2])
    try:
        cache.set(seen.key, kept, READER_TTL)
    except Exception:
        log.warning("stats: cannot keep the reader's answer", exc_info=True)

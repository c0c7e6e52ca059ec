"""The screen feeds' early path: a polling screen is answered before sessions, locale, CSRF, auth and
messages run.

The feed view leaves, per feed URL and language, a small entry in the cache: the ETag it answered with
and the generation it was built under. The middleware reads that entry (one round trip, with the
generation when it is an area feed) and answers 304 when the screen already has that ETag, or 200 from
the cached body when it has an older one; anything else — no entry, a cache that fails, a language
prefix, a method other than GET — falls through to the normal view, which rebuilds the entry.

The ≤ 6 s change-to-screen guarantee: a building's entry is deleted on commit of any change to its
demands or panels (`forget_building`), an area's entry is only trusted while the global generation it
was built under is current, and every entry expires after `feed.STAMP_TTL` seconds regardless.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation

from . import feed

log = logging.getLogger(__name__)

PREFIX = "/api/v1/screen/"
AREA_PREFIX = PREFIX + "area/"
GEN_KEY = feed.GEN_KEY


entry_key = feed.early_entry_key
body_key = feed.body_key


def remember(request: HttpRequest, etag: str, *, gen: int | None, building_id: int | None = None) -> None:
    """Called by the feed view after it answered: the next poll of this URL can take the early path."""
    try:
        ttl = min(feed.STAMP_TTL, feed.seconds_left_in_bucket())
        if ttl <= 0:
            return
        entries: dict[str, Any] = {entry_key(request.path, translation.get_language()): (etag, gen)}
        if building_id is not None:
            # So that a change to the building (which knows its id, not the URL) can drop the entry.
            entries[feed.early_path_key(building_id)] = request.path
        cache.set_many(entries, ttl)
    except Exception:  # a cache that fails costs the early path, never the answer
        log.warning("screen: cannot store the early-path entry", exc_info=True)


def _headers(response: HttpResponse, etag: str, language: str) -> HttpResponse:
    # The same headers the view and the locale middleware set (views._conditional).
    response["Content-Language"] = language
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Accept-Language, Cookie"
    return response


#: A body never changes under its ETag (the ETag is the key): each worker keeps the last few it served,
#: so a screen that is behind costs the one cache read, not a second one for ~100 KB.
_bodies: OrderedDict[tuple[str, str], bytes] = OrderedDict()
LOCAL_BODIES = 32


def _remember_body(path: str, etag: str, body: bytes) -> None:
    _bodies[(path, etag)] = body
    while len(_bodies) > LOCAL_BODIES:
        _bodies.popitem(last=False)


def answer(request: HttpRequest) -> HttpResponse | None:
    """The early answer for a feed poll, or None to let the normal stack answer."""
    path = request.path_info
    if (
        request.method != "GET"
        or not path.startswith(PREFIX)
        or path.count("/") != (6 if path.startswith(AREA_PREFIX) else 5)
    ):
        return None
    language = translation.get_language_from_request(request)
    key = entry_key(request.path, language)
    is_area = path.startswith(AREA_PREFIX)
    try:
        found = cache.get_many([key, GEN_KEY]) if is_area else {key: cache.get(key)}
    except Exception:
        log.warning("screen: cache read failed, answering through the view", exc_info=True)
        return None
    entry = found.get(key)
    if entry is None:
        return None
    etag, gen = entry
    if is_area and gen != found.get(GEN_KEY):
        return None
    if feed.etag_matches(etag, request.headers.get("If-None-Match", "")):
        return _headers(HttpResponseNotModified(), etag, language)
    body = _bodies.get((request.path, etag))
    if body is None:
        try:
            body = cache.get(body_key(request.path, etag))
        except Exception:
            return None
        if body is None:
            return None
        _remember_body(request.path, etag, body)
    return _headers(HttpResponse(body, content_type="application/json"), etag, language)


def screen_feed_early(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], Any]:
    """Middleware: place it before the session middleware (settings.MIDDLEWARE)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return answer(request) or get_response(request)

    return middleware

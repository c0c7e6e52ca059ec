"""The building board (`/b/<slug>/`) for anonymous readers, from the cache (#15).

Every resident who scans a building's poster sees the same board: the same demands, figures, roster and
panels. Rendering it costs about ten queries and a large template; serving it again costs one cache
read. The board shows what the lobby screen shows, so it is keyed by the same stamp: the building's
stamp moves after commit of any change to its demands (the after-change path) or its panels (a survey
opened, an election's turnout: `buildings.panels.touch`), and the ETag built from it also turns over
with the language, the month and every `feed.REFRESH_EVERY` seconds — what no stamp covers (a member
added to the roster in the admin) is on the board within that minute.

Only what is the same for every reader is cached: a GET without a session or pending messages, whose
query string holds nothing but the board's own filters. The one part of the page that differs per
reader, the CSRF token of the language form, is cut out before storing and a fresh one is put in for
each reader. A cache that fails costs the cache, never the page.
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from . import feed

log = logging.getLogger(__name__)

#: The board's own query parameters; any other makes the request uncacheable (no cache flooding).
PARAMS = frozenset({"status", "category", "order", "page"})
MAX_QUERY = 120
TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
PLACEHOLDER = b"\x00csrf\x00"


def cacheable(request: HttpRequest, params: frozenset[str] = PARAMS) -> bool:
    """A reader who sees what every anonymous reader sees: no session, no credentials, no messages,
    and nothing in the query string but the page's own filters."""
    if (
        request.method != "GET"
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "messages" in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
    ):
        return False
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY:
        return False
    return all(name in params for name, _ in parse_qsl(query, keep_blank_values=True))


def building_id(request: HttpRequest, slug: str) -> int | None:
    """The active building of `slug` from the cache (`feed.building_id_for_slug`, as the screen and the
    API's list find it), for a reader whose board may come from the cache; None otherwise, or when the
    cache fails."""
    if not cacheable(request):
        return None
    try:
        return feed.building_id_for_slug(slug)
    except Exception:
        log.warning("board: cannot read the building's id, rendering", exc_info=True)
        return None


def key_for(
    request: HttpRequest, building_id: int, *, kind: str = "board", params: frozenset[str] = PARAMS
) -> str | None:
    """The cache key of this reader's board, taken before rendering (a change committed while the page
    renders moves the stamp: the page is then stored under the old key, never the new one); None when
    the reader is not anonymous or the cache fails. `kind` and `params` serve the other anonymous
    readings of one building that are alike for everyone (the API's demand list of the building)."""
    if not cacheable(request, params):
        return None
    try:
        etag = feed.etag_for(feed.building_stamp(building_id))  # the stamp, the language, the month, the minute
    except Exception:
        log.warning("board: cannot read the building's stamp, rendering", exc_info=True)
        return None
    raw = f"{building_id}|{etag}|{request.get_host()}|{request.get_full_path()}"
    return f"board:{kind}:" + hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()


def get_body(key: str | None) -> tuple[str, bytes] | None:
    """(content type, body) stored under `key` by `set_body`, or None (a cache that fails: None)."""
    if key is None:
        return None
    try:
        entry: tuple[str, bytes] | None = cache.get(key)
    except Exception:
        log.warning("board: cache read failed, answering from the database", exc_info=True)
        return None
    return entry


def set_body(key: str | None, content_type: str, body: bytes) -> None:
    """Keeps an answer for the next anonymous reader under `key`, until the stamp's minute turns."""
    if key is None:
        return
    try:
        ttl = feed.seconds_left_in_bucket()
        if ttl > 0:
            cache.set(key, (content_type, body), ttl)
    except Exception:
        log.warning("board: cannot cache the answer", exc_info=True)


def cached(request: HttpRequest, key: str | None) -> HttpResponse | None:
    """The board as last rendered for this building, filters and language, or None."""
    entry = get_body(key)
    if entry is None:
        return None
    content_type, body = entry
    token = get_token(request).encode()  # this reader's own token (and its cookie, when it has none)
    return HttpResponse(body.replace(PLACEHOLDER, token), content_type=content_type)


def remember(key: str | None, response: HttpResponse) -> None:
    """Keeps a freshly rendered board for the next anonymous reader (until its stamp or minute moves)."""
    if key is None or response.status_code != 200:
        return
    body = TOKEN.sub(lambda m: m.group(1) + PLACEHOLDER + m.group(3), response.content)
    set_body(key, response["Content-Type"], body)

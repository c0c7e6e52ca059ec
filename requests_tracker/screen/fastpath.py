"""The screen feeds' early path: a polling screen is answered before sessions, locale, CSRF, auth and
messages run.

The feed view leaves, per feed URL and language, a small entry in the cache: the ETag it answered with
and the generation it was built under. The middleware reads that entry (one round trip, with the
generation when it is an area feed) and answers 304 when the screen already has that ETag, or 200 from
the cached body when it has an older one; anything else — no entry, a cache that fails, a language
prefix, a method other than GET — falls through to the normal view, which rebuilds the entry.

Under WSGI (gunicorn: lousihui/wsgi.py, bench/wsgi.py) `wsgi_early` answers the unchanged poll — a GET
with If-None-Match whose ETag is the entry's — before Django's handler: no request object, no signals,
no middleware, one cache read. What it read goes on to the middleware in the environ, so a poll it does
not answer costs no second read. The middleware still serves the screens that are behind (200, cached
body) and ASGI and the test client.

The ≤ 6 s change-to-screen guarantee: a building's entry is deleted on commit of any change to its
demands or panels (`forget_building`), an area's entry is only trusted while the global generation it
was built under is current, and every entry expires after `feed.STAMP_TTL` seconds regardless.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_script_name
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, parse_cookie
from django.utils import translation

from . import feed

log = logging.getLogger(__name__)

PREFIX = "/api/v1/screen/"
AREA_PREFIX = PREFIX + "area/"
GEN_KEY = feed.GEN_KEY


entry_key = feed.early_entry_key
body_key = feed.body_key


def remember(
    request: HttpRequest, etag: str, *, gen: int | None, building_id: int | None = None, phase: int = 0
) -> None:
    """Called by the feed view after it answered: the next poll of this URL can take the early path."""
    try:
        ttl = min(feed.STAMP_TTL, feed.seconds_left_in_bucket(phase))
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


def _is_feed(path_info: str) -> bool:
    return path_info.startswith(PREFIX) and path_info.count("/") == (6 if path_info.startswith(AREA_PREFIX) else 5)


def _read(key: str, is_area: bool) -> dict[str, Any] | None:
    """The entry (and the generation, for an area feed) in one round trip; None when the cache fails."""
    try:
        return cache.get_many([key, GEN_KEY]) if is_area else {key: cache.get(key)}
    except Exception:
        log.warning("screen: cache read failed, answering through the view", exc_info=True)
        return None


def _current_etag(found: dict[str, Any], key: str, is_area: bool) -> str | None:
    """The ETag the early path may answer with: the entry's, while an area's generation holds."""
    entry = found.get(key)
    if entry is None:
        return None
    etag, gen = entry
    if is_area and gen != found.get(GEN_KEY):
        return None
    return str(etag)


#: Where `wsgi_early` leaves what it read for the middleware (request.META is the WSGI environ).
READ = "lousihui.screen_early"


def answer(request: HttpRequest) -> HttpResponse | None:
    """The early answer for a feed poll, or None to let the normal stack answer."""
    path = request.path_info
    if request.method != "GET" or not _is_feed(path):
        return None
    language = translation.get_language_from_request(request)
    key = entry_key(request.path, language)
    is_area = path.startswith(AREA_PREFIX)
    read = request.META.get(READ)
    found = read[1] if read is not None and read[0] == key else _read(key, is_area)
    etag = _current_etag(found, key, is_area) if found is not None else None
    if etag is None:
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


# --- before Django: the unchanged poll at the WSGI layer ----------------------------------------------

#: What a 304 must carry (RFC 9110 15.4.5: the ETag, Cache-Control and Vary a 200 would have sent; the
#: language, as the view's answers say it). The 200 through the stack varies on Accept-Encoding too
#: (GZipMiddleware). Date is the server's: gunicorn and wsgiref add it to every answer (as for Django's).
VARY = "Accept-Language, Cookie, Accept-Encoding"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Any]


class _Poll:
    """What `translation.get_language_from_request` reads of a request: its cookies and its headers."""

    __slots__ = ("COOKIES", "META")

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ
        cookies = environ.get("HTTP_COOKIE")
        self.COOKIES = parse_cookie(cookies) if cookies else {}


def _is_secure(environ: dict[str, Any]) -> bool:
    # As HttpRequest.scheme decides it: the proxy's header when one is trusted, else the server's scheme.
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, secure_value = proxy
        value = environ.get(header)
        if value is not None:
            return bool(value.split(",", 1)[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")


def not_modified(environ: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The headers of a 304 for an unchanged feed poll, or None to let Django answer: anything but a GET
    with If-None-Match of a feed URL, plain HTTP where the site redirects it to HTTPS, no entry, an
    area's generation that moved, another ETag (a screen behind: the middleware sends it the cached
    body, with what was read here), a cache that fails."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    path_info = environ.get("PATH_INFO", "")
    if (
        not if_none_match
        or environ.get("REQUEST_METHOD") != "GET"
        or not path_info.isascii()  # (a feed's slug is; anything else is Django's to decode)
        or not _is_feed(path_info)
        or (settings.SECURE_SSL_REDIRECT and not _is_secure(environ))
    ):
        return None
    language = translation.get_language_from_request(_Poll(environ))  # type: ignore[arg-type]
    key = entry_key(get_script_name(environ) + path_info, language)
    is_area = path_info.startswith(AREA_PREFIX)
    found = _read(key, is_area)
    if found is None:
        return None
    environ[READ] = (key, found)
    etag = _current_etag(found, key, is_area)
    if etag is None or not feed.etag_matches(etag, if_none_match):
        return None
    return [("ETag", etag), ("Cache-Control", "no-cache"), ("Vary", VARY), ("Content-Language", language)]


def wsgi_early(application: WSGIApp) -> WSGIApp:
    """Wraps Django's WSGI application: an unchanged screen poll is answered 304 before it (`not_modified`),
    everything else goes to Django as it came."""

    def early(environ: dict[str, Any], start_response: StartResponse) -> Any:
        try:
            headers = not_modified(environ)
        except Exception:  # the early path may cost an answer of its own, never the request
            log.warning("screen: early WSGI path failed, answering through Django", exc_info=True)
            headers = None
        if headers is None:
            return application(environ, start_response)
        start_response("304 Not Modified", headers)
        return []

    return early

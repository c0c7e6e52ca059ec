"""The statistics API's early path (#15): a dashboard's warm `/api/v1/stats/` with an API token is
answered before sessions, locale, CSRF, auth and messages run — one cache round trip (`warm.look`),
no query.

Only what the view's own warm path would answer from the reader's kept bytes: a GET of exactly the API's
path, an API token and no session cookie (with one, DRF reads the session's user first), the
parameters `warm.plain_request` accepts, in the language the locale middleware would choose; the
headers the rest of the stack would add are set here (`headers`). Anything else falls through.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from . import warm

PATH = "/api/v1/stats/"


def language_of(request: HttpRequest) -> str:
    """The language LocaleMiddleware activates for this request."""
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    patterns_used, prefixed_default = is_language_prefix_patterns_used(urlconf)
    language = translation.get_language_from_request(request, check_path=patterns_used)
    if not translation.get_language_from_path(request.path_info) and patterns_used and not prefixed_default:
        language = settings.LANGUAGE_CODE
    return language


def headers(response: HttpResponse, language: str) -> HttpResponse:
    """What the session, locale and clickjacking middleware add to the view's warm answer."""
    response["Vary"] = "Accept, Accept-Language, Cookie"
    response["Content-Language"] = language
    response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
    return response


def answer(request: HttpRequest) -> HttpResponse | None:
    if request.method != "GET" or request.path_info != PATH or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0] != "Token":
        return None
    plain = warm.plain_request(request)
    if plain is None:
        return None
    params, only = plain
    language = language_of(request)
    seen = warm.look(warm.reader_key(f"t:{words[1]}", params, only, language))
    body = seen.body() if seen is not None else None
    return None if body is None else headers(warm.json_response(body), language)


def stats_early(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: after GZip (an answer is compressed when the client accepts it), before sessions."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return answer(request) or get_response(request)

    return middleware

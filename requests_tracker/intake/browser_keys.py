"""The browser key behind an anonymous +1 (附议): issued by the server, signed, on a page view.

A support from a browser counts only with a key this server signed on an earlier page view (the
public demand page, the board, the submit form with its look-alikes, the tracking page); a missing or
made-up cookie counts nothing, and the support request itself never mints a key. What is limited is
the issuing of new keys per client address (`THROTTLE_BROWSER_KEY`), not the supports: an office
behind one NAT address supports freely with the keys its browsers already hold, while a script that
throws its cookie away gets a new key only a few times an hour.

Only a keyed hash of the key is stored with a support (`client_key`): the table cannot be used to
recognise a browser.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import get_random_string

from buildings.throttling import ScopedRateThrottle

COOKIE = "lsh_browser"
COOKIE_AGE = 2 * 365 * 24 * 3600
THROTTLE_SCOPE = "browser_key"
_SALT = "lousihui.browser-key"
_RAW = re.compile(r"[A-Za-z0-9_-]{22,64}")
logger = logging.getLogger(__name__)
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def issued_key(request: HttpRequest) -> str:
    """The key this server signed for this browser, or "" (no cookie, a made-up or tampered one)."""
    value = request.COOKIES.get(COOKIE, "")
    if not value or len(value) > 200:
        return ""
    try:
        raw = _signer().unsign(value, max_age=COOKIE_AGE)
    except signing.BadSignature:
        return ""
    return raw if _RAW.fullmatch(raw) else ""


def client_key(raw: str) -> str:
    """What a support stores: a keyed hash of the browser key (the same hash as before keys were signed)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"support:{raw}".encode(), hashlib.sha256).hexdigest()


def support_key(request: HttpRequest) -> str:
    """The `client_key` to count an anonymous support under, or "" when the browser holds no issued key."""
    raw = issued_key(request)
    return client_key(raw) if raw else ""


class _Scope:
    throttle_scope = THROTTLE_SCOPE


def _may_issue(request: HttpRequest) -> bool:
    # DRF's scoped throttle: the same cache and the same client address (NUM_PROXIES) as the API's limits.
    try:
        return ScopedRateThrottle().allow_request(request, _Scope())  # type: ignore[arg-type]
    except Exception:
        # The cache is down: the page is still served, only without a new key (nothing to count then).
        logger.warning("browser key not issued: the throttle's cache failed", exc_info=True)
        return False


def issue(request: HttpRequest, response: HttpResponse) -> bool:
    """Gives this anonymous browser a signed key on `response` unless it holds one; False when the
    client's address has had its share of new keys for now (the page is served all the same)."""
    if request.user.is_authenticated or issued_key(request) or response.status_code != 200:
        return False
    if not _may_issue(request):
        return False
    # A cookie from before keys were signed keeps its identity (and the supports made with it); it is
    # signed now, which costs its client one issue like any new key, so choosing it gains nothing.
    legacy = request.COOKIES.get(COOKIE, "")
    raw = legacy if _RAW.fullmatch(legacy) else get_random_string(32, _ALPHABET)
    response.set_cookie(
        COOKIE,
        _signer().sign(raw),
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return True


def issues_key(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorates a page with a +1 button (or leading to one): its view issues the browser key."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "GET":
            issue(request, response)
        return response

    return wrapped

"""Shared fixtures: the permission cast, service markers and clean caches.

Markers `postgres`, `redis`, `celery` and `browser` say which real service a test needs.
Where it is missing the test skips with the reason; with REQUIRE_SERVICES=1 (CI) it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache

from tests import factories

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _chromium_path() -> str | None:
    return shutil.which(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def _missing(marker: str) -> str | None:
    """Why the service behind `marker` is not usable here, or None when it is."""
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: DATABASE_URL is not a reachable postgres:// URL"
    elif marker in ("redis", "celery"):
        if not _redis_reachable():
            return "needs Redis: REDIS_URL is not set or Redis does not answer"
    elif marker == "browser":
        if _chromium_path() is None:
            return "needs Chromium at /usr/bin/chromium (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs the playwright Python package"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name in ("postgres", "redis", "celery", "browser"):
        if item.get_closest_marker(name) is None:
            continue
        reason = _missing(name)
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    """PBKDF2 is deliberately slow; the suite logs the cast in hundreds of times."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # hashes made outside a test (module fixtures)
    ]


@pytest.fixture(autouse=True)
def _site_url_configured(settings) -> None:  # type: ignore[no-untyped-def]
    """Tests run with DEBUG off; posters refuse an unset SITE_URL then (tests/hardening sets it unset)."""
    settings.SITE_URL_CONFIGURED = True


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active; each test starts in Chinese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Throttle counters and cached figures must not leak from one test into the next."""
    _clear_cache()
    yield
    _clear_cache()


def _clear_cache() -> None:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        # Only this run's keys: never FLUSHDB a Redis database someone else may share.
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


# --- the cast ----------------------------------------------------------------------------


@pytest.fixture
def cast(db: None) -> factories.Cast:
    """captain_a (Shanghai Tower), captain_b (Jin Mao), dept_staff (fire), district_staff (Pudong), resident."""
    return factories.build_cast()


@pytest.fixture
def captain_a(cast: factories.Cast):  # type: ignore[no-untyped-def]
    return cast.captain_a


@pytest.fixture
def captain_b(cast: factories.Cast):  # type: ignore[no-untyped-def]
    return cast.captain_b


@pytest.fixture
def dept_staff(cast: factories.Cast):  # type: ignore[no-untyped-def]
    return cast.dept_staff


@pytest.fixture
def district_staff(cast: factories.Cast):  # type: ignore[no-untyped-def]
    return cast.district_staff


@pytest.fixture
def resident(cast: factories.Cast):  # type: ignore[no-untyped-def]
    return cast.resident

"""What /healthz/ checks (#14 item 3): the database, the cache, the broker and the notification outbox,
each on its own, each bounded in time.

- database: `SELECT 1` (the connection's connect_timeout bounds it);
- cache: a PING to Redis itself, past the local-memory fallback (lousihui/cache.py), which would
  otherwise hide an outage; the embedded local-memory cache is always up;
- broker: one connection attempt to Celery's broker, no retry; eager Celery (no broker) is always up;
- notifications: how long the oldest pending outbox row has waited, and how many are pending; too old
  (HEALTHZ_PENDING_MAX_AGE_SECONDS) means the workers or beat are not keeping up.

Only the database decides the public status code: with the cache or the broker down the site still
takes demands (README "Outages"), so the web container stays in service and says "degraded".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from requests_tracker.models import Notification

from .cache import ResilientRedisCache
from .celery import app


@dataclass
class Component:
    ok: bool
    ms: float = 0.0
    error: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def _timed(check: Callable[[], dict[str, Any] | None]) -> Component:
    started = time.monotonic()
    try:
        detail = check() or {}
    except Exception as exc:  # any failure of the component is its status, not the probe's
        return Component(ok=False, ms=_ms(started), error=f"{type(exc).__name__}: {exc}"[:300])
    return Component(ok=True, ms=_ms(started), detail=detail)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> dict[str, Any]:
    cache = caches["default"]
    if isinstance(cache, ResilientRedisCache):
        fallback_in_use = cache.is_degraded  # before the ping, which closes the breaker when Redis is back
        cache._cache.get_client(write=True).ping()
        return {"backend": "redis", "fallback_in_use": fallback_in_use}
    return {"backend": type(cache).__name__}


def _broker() -> dict[str, Any]:
    if app.conf.task_always_eager or app.conf.broker_url.startswith("memory://"):
        return {"transport": "none (tasks run eagerly)"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return {"transport": str(conn.transport_cls)}


def _notifications() -> dict[str, Any]:
    pending = Notification.objects.filter(status=Notification.Status.PENDING).aggregate(
        oldest=Min("created_at"), count=Count("id")
    )
    age = (timezone.now() - pending["oldest"]).total_seconds() if pending["oldest"] else 0.0
    limit = settings.HEALTHZ_PENDING_MAX_AGE_SECONDS
    if age > limit:
        raise RuntimeError(f"the oldest pending notification has waited {age:.0f} s (limit {limit:.0f} s)")
    return {"pending": pending["count"], "oldest_pending_age_seconds": round(age, 1), "limit_seconds": limit}


def report() -> tuple[str, dict[str, Any]]:
    """("ok" | "degraded" | "error", per-component detail)."""
    components = {"database": _timed(_database)}
    components["cache"] = _timed(_cache)
    components["broker"] = _timed(_broker)
    if components["database"].ok:
        components["notifications"] = _timed(_notifications)
    else:
        components["notifications"] = Component(ok=False, error="the database is unavailable")
    if not components["database"].ok:
        status = "error"
    elif all(c.ok for c in components.values()):
        status = "ok"
    else:
        status = "degraded"
    return status, {name: asdict(c) for name, c in components.items()}

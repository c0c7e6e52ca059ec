"""#14 item 3: /healthz/ checks the database, the cache, the broker and the outbox each on its own; the
public gets the bare status, a probe with HEALTHZ_TOKEN the detail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from lousihui import health
from requests_tracker.models import Notification
from tests.hardening.s3_server import free_port

pytestmark = pytest.mark.django_db

TOKEN = "probe-secret-7f3a"
COMPONENTS = {"database", "cache", "broker", "notifications"}


@pytest.fixture(autouse=True)
def token(settings: Any) -> None:
    settings.HEALTHZ_TOKEN = TOKEN


def _pending(age: timedelta) -> Notification:
    at = timezone.now() - age
    return Notification.objects.create(
        kind=Notification.Kind.NEW_DEMAND,
        channel="email",
        address="captain@example.com",
        subject="新诉求",
        body_text="…",
        max_attempts=6,
        next_attempt_at=at,
        created_at=at,
    )


def test_the_public_gets_the_bare_status_and_no_detail(django_assert_num_queries: Any) -> None:
    _pending(timedelta(minutes=2))
    with django_assert_num_queries(2):  # SELECT 1, the outbox's oldest pending row
        response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")
    wrong = Client().get("/healthz/?token=guess", HTTP_X_HEALTHZ_TOKEN="guess")
    assert wrong.json() == {"status": "ok"}


def test_a_probe_with_the_token_gets_each_component(settings: Any) -> None:
    _pending(timedelta(minutes=2))
    for response in (
        Client().get("/healthz/", HTTP_X_HEALTHZ_TOKEN=TOKEN),
        Client().get(f"/healthz/?token={TOKEN}"),
    ):
        body = response.json()
        assert response.status_code == 200 and body["status"] == "ok"
        assert set(body["components"]) == COMPONENTS
        assert all(c["ok"] for c in body["components"].values()), body
        outbox = body["components"]["notifications"]["detail"]
        assert outbox["pending"] == 1
        assert 110 <= outbox["oldest_pending_age_seconds"] <= 300


def test_without_a_configured_token_nobody_gets_the_detail(settings: Any) -> None:
    settings.HEALTHZ_TOKEN = ""
    assert Client().get("/healthz/?token=").json() == {"status": "ok"}


def test_a_database_outage_is_a_503_for_the_compose_check() -> None:
    with mock.patch.object(health, "_database", side_effect=OperationalError("connection refused")):
        public = Client().get("/healthz/")
        probe = Client().get("/healthz/", HTTP_X_HEALTHZ_TOKEN=TOKEN).json()
    assert public.status_code == 503 and public.json() == {"status": "error"}
    assert probe["components"]["database"]["ok"] is False
    assert "OperationalError" in probe["components"]["database"]["error"]


@pytest.mark.redis
def test_a_dead_cache_is_degraded_not_down(settings: Any) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "lousihui.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    public = Client().get("/healthz/")
    assert public.status_code == 200 and public.json() == {"status": "degraded"}
    cache = Client().get("/healthz/", HTTP_X_HEALTHZ_TOKEN=TOKEN).json()["components"]["cache"]
    assert cache["ok"] is False and "ConnectionError" in cache["error"]


@pytest.mark.redis
def test_a_dead_broker_is_degraded_not_down() -> None:
    real = health.app.connection_for_write
    dead = f"redis://127.0.0.1:{free_port()}/0"
    eager = health.app.conf.task_always_eager
    health.app.conf.task_always_eager = False  # as in production: tasks go to the broker
    try:
        with mock.patch.object(health.app, "connection_for_write", lambda: real(url=dead)):
            public = Client().get("/healthz/")
            broker = Client().get("/healthz/", HTTP_X_HEALTHZ_TOKEN=TOKEN).json()["components"]["broker"]
    finally:
        health.app.conf.task_always_eager = eager
    assert public.status_code == 200 and public.json() == {"status": "degraded"}
    assert broker["ok"] is False and broker["error"]


def test_an_outbox_left_behind_is_degraded_with_its_age(settings: Any) -> None:
    settings.HEALTHZ_PENDING_MAX_AGE_SECONDS = 600
    _pending(timedelta(hours=2))
    assert Client().get("/healthz/").json() == {"status": "degraded"}
    outbox = Client().get("/healthz/", HTTP_X_HEALTHZ_TOKEN=TOKEN).json()["components"]["notifications"]
    assert outbox["ok"] is False
    assert "has waited 7200 s" in outbox["error"]

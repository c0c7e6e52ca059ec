"""#14 item 2: PostgreSQL restarting. A request during the outage gets a fast 503 with a reason (JSON under
/api/, a page elsewhere), the same gunicorn workers serve again once it is back, and no demand is
half-written.

The live test puts a TCP proxy it owns between gunicorn and PostgreSQL and cuts it: every connection is
reset and new ones are refused, as while the server restarts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from requests_tracker.api import DemandViewSet
from requests_tracker.models import Demand, DemandEvent
from tests import factories
from tests.hardening.outage_helpers import Process, TcpProxy, app_env, database_url, gunicorn, wait_ready

SLUG = "shanghai-tower"
REASON_ZH = "数据库暂时不可用"


def _broken(*args: object, **kwargs: object) -> None:
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


# --- in process: the answers themselves ------------------------------------------------------------


@pytest.mark.django_db
def test_an_api_request_during_a_database_outage_gets_a_503_with_a_json_reason() -> None:
    factories.build_cast()
    with mock.patch.object(DemandViewSet, "get_queryset", _broken):
        response = Client().get("/api/v1/demands/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert REASON_ZH in response.json()["detail"]
    assert response.json()["code"] == "database_unavailable"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_page_during_a_database_outage_says_so_in_chinese_first_then_english() -> None:
    factories.build_cast()
    with mock.patch("requests_tracker.views.get_object_or_404", _broken):
        zh = Client().get(f"/b/{SLUG}/")
        en = Client().get(f"/b/{SLUG}/", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == 503 and en.status_code == 503
    assert zh["Content-Type"].startswith("text/html")
    assert REASON_ZH in zh.content.decode()
    assert "temporarily unavailable" in en.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.hardening.outage_urls")
def test_handler500_answers_json_under_api_and_503_for_the_database(settings: Any) -> None:
    # Without the middleware: what an error outside a view (a session saved after it) meets is handler500.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "lousihui.outage.DatabaseOutageMiddleware"]
    client = Client(raise_request_exception=False)
    crashed = client.get("/api/v1/crash/")
    assert crashed.status_code == 500
    assert crashed["Content-Type"] == "application/json" and crashed.json()["detail"]
    down = client.get("/api/v1/database-down/")
    assert down.status_code == 503 and down.json()["code"] == "database_unavailable"
    page = client.get("/crash/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    page_down = client.get("/database-down/")
    assert page_down.status_code == 503 and REASON_ZH in page_down.content.decode()


def test_the_workers_check_their_connections_and_give_up_connecting_quickly() -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL settings only")
    assert db["CONN_HEALTH_CHECKS"] is True
    assert 0 < db["OPTIONS"]["connect_timeout"] <= 5


# --- live: gunicorn behind a proxy the test cuts ---------------------------------------------------


def _children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


@pytest.fixture
def web(transactional_db: None, tmp_path: Path) -> Iterator[tuple[Process, str, TcpProxy]]:
    db = settings.DATABASES["default"]
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    env = app_env(DATABASE_URL=database_url("127.0.0.1", proxy.port))
    env.pop("REDIS_URL", None)  # the database alone is under test: local-memory cache, eager Celery
    server, url = gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        wait_ready(server, url)
        yield server, url, proxy
    finally:
        server.stop()
        proxy.close()
        print(server.tail(4000))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_through_a_postgresql_restart_fast_503s_then_the_same_workers_serve_again(
    web: tuple[Process, str, TcpProxy],
) -> None:
    import requests

    server, url, proxy = web
    factories.build_cast()
    workers = _children(server.process.pid)
    assert len(workers) == 2

    def submit(title: str) -> requests.Response:
        return requests.post(
            f"{url}/api/v1/demands/", json={"building": SLUG, "category": "delivery", "title": title}, timeout=30
        )

    assert submit("停电前").status_code == 201
    for _ in range(4):  # both workers hold a persistent connection through the proxy
        assert requests.get(f"{url}/api/v1/demands/", timeout=10).status_code == 200

    proxy.cut()
    for _ in range(4):
        refused = submit("停电中")
        assert refused.status_code == 503, refused.text[:2000]
        assert refused.headers["Content-Type"] == "application/json"
        assert REASON_ZH in refused.json()["detail"]
        listed = requests.get(f"{url}/api/v1/demands/", timeout=10)
        assert listed.status_code == 503 and listed.json()["code"] == "database_unavailable"
        page = requests.get(f"{url}/b/{SLUG}/", timeout=10)
        assert page.status_code == 503 and REASON_ZH in page.text
    assert requests.get(f"{url}/healthz/", timeout=10).status_code == 503

    proxy.restore()
    for _ in range(4):
        assert requests.get(f"{url}/b/{SLUG}/", timeout=10).status_code == 200
        assert requests.get(f"{url}/api/v1/demands/", timeout=10).status_code == 200
    assert submit("来电后").status_code == 201
    assert _children(server.process.pid) == workers, "the workers were replaced instead of reconnecting"

    titles = set(Demand.objects.values_list("title", flat=True))
    assert titles == {"停电前", "来电后"}, "nothing written during the outage"
    for demand in Demand.objects.all():
        assert demand.events.filter(kind=DemandEvent.Kind.SUBMITTED).count() == 1, "a demand without its event"

"""The case look-up's answer cache: a repeated look-up costs no query, an index change retires every
cached answer at once, and a cache that is down only costs the search itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_tracker.actions import Assignee, demand_transition
from requests_tracker.search import cache as answers
from tests.factories import make_demand

pytestmark = pytest.mark.django_db


def _resolved(world: Any, title: str, note: str) -> Any:
    demand = make_demand(world.tower_a, world.category, title=title, is_public=True)
    demand = demand_transition(
        demand=demand, action="assign", actor=world.captain_a, assignee=Assignee(department=world.fire)
    )
    return demand_transition(demand=demand, action="resolve", actor=world.captain_a, outcome="solved", note=note)


def _ids(client: Any, q: str) -> list[int]:
    return [r["id"] for r in client.get("/api/v1/search/", {"q": q, "kind": "demand"}).json()["results"]]


def test_a_repeated_look_up_is_answered_without_the_database(client: Any, world: Any) -> None:
    case = _resolved(world, "外卖快递无法上楼", "在1楼2号门安装了智能外卖柜")
    first = answers.search("外卖柜")
    with CaptureQueriesContext(connection) as queries:
        again = answers.search("外卖柜")
    assert len(queries) == 0
    assert again == first
    assert case.pk in [hit.id for hit in again[1] if hit.kind == "demand"]


def test_a_case_resolved_after_a_look_up_is_found_by_the_next_one(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = _resolved(world, "外卖快递无法上楼", "在1楼2号门安装了智能外卖柜")
    assert _ids(client, "外卖柜") == [first.pk]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        second = _resolved(world, "外卖柜满了放不下", "外卖柜扩容到60格")
    assert set(_ids(client, "外卖柜")) == {first.pk, second.pk}
    # And one that leaves the index (reopened) is gone from the next answer too.
    with django_capture_on_commit_callbacks(execute=True):
        demand_transition(demand=second, action="reopen", actor=world.captain_a, note="又满了")
    assert _ids(client, "外卖柜") == [first.pk]


def test_with_the_cache_off_every_look_up_searches(world: Any, settings: Any) -> None:
    settings.SEARCH_CACHE_SECONDS = 0
    _resolved(world, "外卖快递无法上楼", "在1楼2号门安装了智能外卖柜")
    answers.search("外卖柜")
    with CaptureQueriesContext(connection) as queries:
        answers.search("外卖柜")
    assert len(queries) > 0


def test_filters_and_pages_are_cached_apart(world: Any) -> None:
    _resolved(world, "外卖快递无法上楼", "在1楼2号门安装了智能外卖柜")
    everything = answers.search("外卖柜")
    cases_only = answers.search("外卖柜", answers.engine.Filters(kind="matter"))
    assert everything != cases_only
    assert answers.search("外卖柜", limit=1)[1] == everything[1][:1]


def test_a_dead_cache_costs_only_the_search(client: Any, world: Any, settings: Any) -> None:
    case = _resolved(world, "外卖快递无法上楼", "在1楼2号门安装了智能外卖柜")
    # A real Redis client against a port where nothing listens: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/api/v1/search/", {"q": "外卖柜", "kind": "demand"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [case.pk]

"""The statistics page cached per filter set (#15): a committed change is in the next page, the page
says as of when its figures are, and other filters or other readers' reach never share an answer."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from requests_tracker import actions
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1/stats/"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_committed_change_is_in_the_next_page(cast: factories.Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = _client(cast.district_staff)
    demand = factories.make_demand(cast.tower_a, cast.category)
    first = client.get(API, {"district": "pudong"}).json()
    assert first["figures"]["waiting"] == 1
    assert client.get(API, {"district": "pudong"}).json()["generated_at"] == first["generated_at"]  # cached
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_transition(
            demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
        )
        factories.make_demand(cast.tower_a, cast.category)
    after = client.get(API, {"district": "pudong"}).json()
    assert (after["figures"]["received"], after["figures"]["waiting"], after["figures"]["in_progress"]) == (2, 1, 1)


def test_filters_and_reach_are_part_of_the_key(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_b, cast.category)
    staff = _client(cast.district_staff)
    assert staff.get(API).json()["figures"]["received"] == 2
    assert staff.get(API, {"building": cast.tower_a.slug}).json()["figures"]["received"] == 1
    # Captain A reads only Shanghai Tower, with the same (empty) filters as the district's staff.
    assert _client(cast.captain_a).get(API).json()["figures"]["received"] == 1
    assert staff.get(API, {"since": "2000-01-01"}).json()["figures"]["received"] == 2


def test_page_says_as_of_when(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    html = _client(cast.district_staff).get("/stats/").content.decode()
    match = re.search(r'id="stats-as-of">数据截至 <time datetime="([^"]+)">(\d{4}-\d\d-\d\d \d\d:\d\d)</time>', html)
    assert match, "the page shows when its figures were computed"


def test_a_failing_cache_still_gives_the_figures(cast: factories.Cast) -> None:
    """Redis that does not answer (nothing listens on port 9): the figures are computed, not a 500."""
    from django.test import override_settings

    from requests_tracker.stats import figures_for
    from requests_tracker.stats.filters import StatsFilterForm

    factories.make_demand(cast.tower_a, cast.category)
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    form = StatsFilterForm({})
    assert form.is_valid()
    with override_settings(CACHES=dead):
        assert figures_for(form, None)["figures"]["received"] == 1


def test_a_project_that_moves_is_in_the_next_page_and_a_cached_page_reads_only_the_reach(
    cast: factories.Cast, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from requests_tracker.projects import actions as project_actions

    def planned(data: dict) -> int:  # type: ignore[type-arg]
        section = next(s for s in data["sections"] if s["key"] == "projects")
        return sum(
            int(i["value"]) for i in section["items"] if "planned" in str(i.get("key", "")) or "计划" in i["label"]
        )

    client = _client(cast.district_staff)
    factories.make_demand(cast.tower_a, cast.category)
    before = client.get(API, {"district": "pudong"}).json()
    # Cached: the session and the user; the reader's reach and the answer come from the cache.
    with django_assert_num_queries(2):
        assert client.get(API, {"district": "pudong"}).json() == before
    with django_capture_on_commit_callbacks(execute=True):
        project_actions.project_create(actor=cast.captain_a, buildings=[cast.tower_a], title="一楼外卖柜")
    after = client.get(API, {"district": "pudong"}).json()
    assert planned(after) == planned(before) + 1

"""The public list's count without counting it (#15): the maintained tallies less the demands the public
list leaves out. It must always be the number of rows the list really holds, whoever reads it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from requests_tracker import actions, selectors
from requests_tracker.actions import Assignee
from requests_tracker.models import Demand
from tests import factories
from tests.requests_tracker.test_api import CONTACT, DEMANDS, _populate, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _world(cast: factories.Cast) -> None:
    """Every status, some private, some hidden by a moderator, some resolved as duplicates."""
    _populate(cast, 11)
    started = factories.make_demand(cast.tower_a, cast.category, **CONTACT)
    actions.demand_transition(
        demand=started, action="assign", actor=cast.superuser, assignee=Assignee(department=cast.fire)
    )
    actions.demand_transition(demand=Demand.objects.get(pk=started.pk), action="start", actor=cast.superuser)
    done = factories.make_demand(cast.tower_b, cast.category, is_public=False)
    actions.demand_transition(
        demand=done, action="assign", actor=cast.superuser, assignee=Assignee(department=cast.fire)
    )
    actions.demand_transition(
        demand=Demand.objects.get(pk=done.pk), action="resolve", actor=cast.superuser, outcome="solved", note="好了"
    )
    hidden = factories.make_demand(cast.tower_b, cast.category)
    Demand.objects.filter(pk=hidden.pk).update(is_hidden=True)  # as the moderation action leaves it


QUERIES: list[dict[str, Any]] = [
    {},
    {"page_size": 2, "page": 2},
    {"status": "submitted"},
    {"status": ["assigned", "in_progress"]},
    {"status": "resolved"},
]


@pytest.mark.parametrize("params", QUERIES)
@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_the_count_is_the_rows_the_list_holds(who: str, params: dict[str, Any], cast: factories.Cast) -> None:
    _world(cast)
    client = client_for(None if who == "anonymous" else cast.resident)
    body = client.get(DEMANDS, params).json()
    statuses = [
        s for s in ([params["status"]] if isinstance(params.get("status"), str) else params.get("status", [])) if s
    ]
    expected = selectors.public_demands()
    if statuses:
        expected = expected.filter(status__in=statuses)
    assert body["count"] == expected.count()
    # and walking the pages finds exactly that many
    walked, url = 0, DEMANDS
    query: dict[str, Any] | None = {**params, "page_size": 3, "page": 1}
    while url:
        page = client.get(url, query).json()
        walked += len(page["results"])
        url, query = page["next"], None
    assert walked == body["count"]


def test_the_count_follows_a_change_at_once(cast: factories.Cast) -> None:
    _world(cast)
    client = client_for(None)
    before = client.get(DEMANDS).json()["count"]
    factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_a, cast.category, is_public=False)
    assert client.get(DEMANDS).json()["count"] == before + 1


def test_the_public_list_counts_nothing_row_by_row(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    """The count is one statement over the tallies and the partial index demand_not_public."""
    _world(cast)
    with django_assert_num_queries(3) as captured:  # the count, the page, the rows it refers to
        client_for(None).get(DEMANDS)
    count_sql = captured.captured_queries[0]["sql"]
    assert "requests_tracker_demandtally" in count_sql and "NOT is_public OR is_hidden" in count_sql


@pytest.mark.parametrize("params", [{"building": "shanghai-tower"}, {"category": "delivery"}, {"since": "2020-01-01"}])
def test_other_filters_are_counted_as_before(params: dict[str, Any], cast: factories.Cast) -> None:
    _world(cast)
    body = client_for(None).get(DEMANDS, params).json()
    walked = len(client_for(None).get(DEMANDS, {**params, "page_size": 100}).json()["results"])
    assert body["count"] == walked


def test_staff_lists_are_counted_row_by_row(cast: factories.Cast) -> None:
    """A captain's list adds the private demands of their building: no tally says how many."""
    _world(cast)
    body = client_for(cast.captain_a).get(DEMANDS).json()
    assert body["count"] == selectors.demand_list_values(selectors.actor_scope(cast.captain_a)).count()
    assert body["count"] > client_for(None).get(DEMANDS).json()["count"]


def test_tallies_left_behind_by_a_bulk_load_fall_back_to_counting(cast: factories.Cast) -> None:
    """A bulk load that bypassed the actions (no tallies) must not make a negative count, nor a 500."""
    from requests_tracker.models import DemandTally

    _world(cast)
    DemandTally.objects.all().delete()
    body = client_for(None).get(DEMANDS).json()
    assert body["count"] == selectors.public_demands().count()
